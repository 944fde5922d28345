namespace NodeNomad.Contracts.Fleet;

/// <summary>
/// The console's fleet hub as nodes see it: where it is and the methods they invoke on it. A node authenticates
/// with the cluster secret as its bearer token.
/// </summary>
public static class FleetProtocol
{
    /// <summary>The hub's path on the console.</summary>
    public const string Path = "/hubs/fleet";

    /// <summary>Hub method taking one <see cref="NodeStatusReport"/>.</summary>
    public const string ReportStatus = nameof(ReportStatus);

    /// <summary>Hub method taking one <see cref="FleetEvent"/>.</summary>
    public const string ReportEvent = nameof(ReportEvent);
}
