using NodeNomad.Console.Fleet;
using NodeNomad.Contracts;
using NodeNomad.Contracts.Fleet;

namespace NodeNomad.Console.Tests;

/// <summary>Reports, events and cluster answers for the tests, with the values a small healthy cluster would send.</summary>
public static class Fleets
{
    public static NodeStatusReport Report(string nodeId, DateTimeOffset at, string role = "follower", string? leaderId = "node-1",
        double reads = 10, double writes = 5, double p99 = 2.5, long keys = 42, long bytes = 4096) =>
        new(nodeId, $"http://127.0.0.1:300{nodeId[^1]}", "0.1.0", at.AddMinutes(-5), 300, at,
            [new GroupStatusReport(0, role, 3, leaderId, 120, 120)],
            new LoadReport(reads, writes, p99),
            new StorageReport(keys, bytes, 1_048_576, 2, 0.75));

    public static NodeInfo Member(string nodeId, string state = "up") =>
        new(nodeId, $"http://127.0.0.1:300{nodeId[^1]}", state, [0], nodeId == "node-1" ? [0] : [], "0.1.0", null);

    public static ShardInfo Shard(int id, string leader, params string[] followers) =>
        new(id, "0000000000000000", "ffffffffffffffff", leader, 7,
            [new ReplicaInfo(leader, "leader"), .. followers.Select(f => new ReplicaInfo(f, "follower"))],
            Keys: 42, Bytes: 4096, CommitIndex: 120, AppliedIndex: 120, ReadsPerSecond: 12, WritesPerSecond: 3);

    public static FleetEvent Event(string kind, string subject, DateTimeOffset at, string message = "something happened", string reporter = "node-1") =>
        new(kind, reporter, subject, message, at);

    /// <summary>A fleet of three reporting nodes, node-1 leading shard 0, with one sample of load.</summary>
    public static FleetState ThreeNodes(ManualClock clock)
    {
        var state = new FleetState(clock);
        var now = clock.GetUtcNow();
        state.ReportStatus(Report("node-1", now, role: "leader"));
        state.ReportStatus(Report("node-2", now));
        state.ReportStatus(Report("node-3", now));
        state.ApplyMembership([Member("node-1"), Member("node-2"), Member("node-3")]);
        state.ApplyShards([Shard(0, "node-1", "node-2", "node-3")]);
        state.Tick();
        return state;
    }
}
