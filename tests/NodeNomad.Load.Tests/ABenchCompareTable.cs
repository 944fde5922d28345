using System.Text.RegularExpressions;
using NodeNomad.Load.Comparison;
using NodeNomad.Load.Reports;

namespace NodeNomad.Load.Tests;

/// <summary><c>bench-compare</c>'s table from made-up figures: a row per cluster, and the ratios the performance goals judge.</summary>
public sealed class ABenchCompareTable
{
    [Fact]
    public void the_table_has_a_row_per_cluster_and_judges_the_ratios()
    {
        BenchCompare.Row[] rows =
        [
            Row(new BenchCompare.Cluster("etcd, 3 members", null, 0), writes: 4000, writeP99: 30, reads: 7000),
            Row(new BenchCompare.Cluster("NodeNomad, 3 nodes × 8 shards", 3, 8), writes: 8000, writeP99: 60, reads: 40000),
            Row(new BenchCompare.Cluster("NodeNomad, 5 nodes × 8 shards", 5, 8), writes: 2000, writeP99: 15, reads: 30000, halfP99: 4),
        ];

        // Compared with runs of spaces as one, so that the test is about the figures rather than the column widths.
        var table = Regex.Replace(BenchCompare.Table(rows), " +", " ");

        table.ShouldContain("NodeNomad, 5 nodes × 8 shards 2000 15.0 ms 30000");
        table.ShouldContain("5×8 ÷ 3×8, writes/s 0.25x (at least 0.8x: NOT met)");
        table.ShouldContain("5×8 ÷ 3×8, reads/s 0.75x (at least 0.8x: NOT met)");
        table.ShouldContain("5×8 ÷ etcd, writes/s 0.50x (at least 2.0x: NOT met)");
        table.ShouldContain("5×8 ÷ etcd, reads/s 4.29x (at least 3.0x: met)");
        table.ShouldContain("5×8 write p99 ÷ etcd's 0.50x (at most 1.0x: met)");
        table.ShouldContain("3×8 write p99 ÷ etcd's 2.00x (at most 1.0x: NOT met)");
        table.ShouldContain("5×8 single-key p99 at half the maximum 4.00 ms (under 10 ms: met)");
    }

    private static BenchCompare.Row Row(BenchCompare.Cluster cluster, double writes, double writeP99, double reads, double halfP99 = 12) =>
        new(cluster, Phase(writes, writeP99), Phase(reads, 5), Phase(writes / 4, 2), Phase(writes / 2, halfP99), Phase(reads / 2, halfP99 / 2), 0, []);

    private static PhaseReport Phase(double opsPerSecond, double p99) =>
        new("p", "closed loop, 64 clients", 0, 8, (long)(opsPerSecond * 8), opsPerSecond, new Latency(p99 / 4, p99 / 2, p99, p99 * 2, p99 * 3),
            new Latency(p99 / 4, p99 / 2, p99, p99 * 2, p99 * 3), new ErrorCounts(0, 0, 0), 0);
}
