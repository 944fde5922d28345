using NodeNomad.Load.Reports;

namespace NodeNomad.Load.Tests;

/// <summary>A small report of made-up figures, as a run would build it.</summary>
internal static class SampleReports
{
    public static RunReport Run(string store = "NodeNomad", double opsPerSecond = 200, double p99 = 9.5) => new(
        "mixed", store, "ci", 42, new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero), 6, $"{store}: 3 members",
        new ScenarioSettings("read=40,write=60", "Uniform", 100, 50, 100, null, 5),
        [
            new PhaseReport("closed", "closed loop, 4 clients", 0, 3, 900, 300, new Latency(1, 2, 5, 8, 9), new Latency(1, 2, 5, 8, 9), new ErrorCounts(0, 1, 0), 0),
            new PhaseReport("constant", "constant rate, 200 ops/s", 3, 3, 600, opsPerSecond, new Latency(1.5, 3, p99, 12, 13), new Latency(1, 2, 4, 6, 7), new ErrorCounts(0, 0, 0), 0),
        ],
        [new OperationReport("Read", 600, 20, 0, 1, 0, new Latency(1, 2, 4, 6, 7)), new OperationReport("Write", 880, 0, 0, 0, 0, new Latency(2, 3, 6, 9, 13))],
        new ErrorCounts(0, 1, 0), 7,
        [.. Enumerable.Range(0, 6).Select(s => new SecondReport(s, 250 + s, s == 1 ? 1 : 0, 1.2, 6.5))],
        [new EventReport(0, "phase closed: closed loop, 4 clients for 3 s"), new EventReport(3, "phase constant: constant rate, 200 ops/s for 3 s"), new EventReport(4.2, "migrate shard-1 to node-4 started")],
        new LossCheck(50, 0, 0, null), [], ["Read Unavailable: 503 from GET /api/v1/get/k: leadership changed"], []);
}
