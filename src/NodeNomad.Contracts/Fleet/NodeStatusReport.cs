namespace NodeNomad.Contracts.Fleet;

/// <summary>What a node pushes to the console's fleet hub every second (hub method <see cref="FleetProtocol.ReportStatus"/>).</summary>
/// <param name="NodeId">The node.</param>
/// <param name="ClientUrl">Where the node serves the REST API.</param>
/// <param name="Version">The NodeNomad version it runs.</param>
/// <param name="StartedAt">When its process started.</param>
/// <param name="UptimeSeconds">Seconds since <paramref name="StartedAt"/>.</param>
/// <param name="At">When the node took this status.</param>
/// <param name="Groups">Each Raft group the node holds a replica of.</param>
/// <param name="Load">Its recent load.</param>
/// <param name="Storage">Its storage.</param>
/// <param name="MetaRole">Its role in the meta group (leader, follower, learner, candidate, pre-candidate), or null when unknown.</param>
/// <param name="MetaTerm">Its term in the meta group.</param>
public sealed record NodeStatusReport(
    string NodeId,
    string ClientUrl,
    string Version,
    DateTimeOffset StartedAt,
    double UptimeSeconds,
    DateTimeOffset At,
    IReadOnlyList<GroupStatusReport> Groups,
    LoadReport Load,
    StorageReport Storage,
    string? MetaRole = null,
    long MetaTerm = 0);
