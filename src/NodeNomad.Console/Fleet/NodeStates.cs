namespace NodeNomad.Console.Fleet;

/// <summary>The node states the console shows.</summary>
public static class NodeStates
{
    /// <summary>Reporting, or listed as up by the cluster.</summary>
    public const string Up = "up";

    /// <summary>Silent for longer than <see cref="FleetState.SilenceLimit"/>, or listed as down by the cluster.</summary>
    public const string Down = "down";

    /// <summary>Known from the membership only, not yet heard from.</summary>
    public const string Unknown = "unknown";
}
