using NodeNomad.Load.Comparison;

namespace NodeNomad.Load.Tests;

/// <summary>The options of <c>compare-report</c> and <c>bench-compare</c>.</summary>
public sealed class ComparisonCommandLine
{
    [Theory]
    [InlineData("--seconds 0", "compare-report: --seconds '0': expected 1..600")]
    [InlineData("--rate fast", "compare-report: --rate 'fast': expected 1..100000")]
    [InlineData("--speed 3", "compare-report: --speed: unknown option")]
    [InlineData("--out", "compare-report: --out: the value is missing")]
    public async Task a_bad_compare_report_command_line_says_what_is_wrong_and_exits_with_2(string line, string message)
    {
        var output = new StringWriter();
        var errors = new StringWriter();

        var code = await ComparisonCommand.RunAsync(line.Split(' '), output, errors);

        code.ShouldBe(2);
        errors.ToString().ShouldContain(message);
        output.ToString().ShouldBeEmpty();
    }

    [Fact]
    public void compare_report_takes_about_a_quarter_hour_by_default_and_its_command_line_replays_the_seed()
    {
        ComparisonOptions.TryParse([], out var defaults, out var error).ShouldBeTrue(error);
        ComparisonOptions.TryParse(["--seconds", "3", "--rate", "200", "--seed", "9", "--out", "/tmp/r"], out var options, out error).ShouldBeTrue(error);

        defaults.Seconds.ShouldBe(ComparisonOptions.DefaultSeconds);
        defaults.Rate.ShouldBe(ComparisonOptions.DefaultRate);
        defaults.Out.ShouldBeNull();
        options.ShouldBe(new ComparisonOptions(3, 200, "/tmp/r", 9));
        options.CommandLine().ShouldEndWith("compare-report --seconds 3 --rate 200 --seed 9 --out /tmp/r");
    }

    [Fact]
    public void compare_report_measures_each_store_at_each_load_for_the_seconds_asked()
    {
        var phases = ComparisonWorkloads.Sweep(TimeSpan.FromSeconds(20), 500);

        phases.Select(p => p.Name).ShouldBe([ComparisonWorkloads.WarmUp, "1 client", "16 clients", "64 clients", "500 ops/s"]);
        phases.Skip(1).ShouldAllBe(p => p.Duration == TimeSpan.FromSeconds(20));
        ComparisonWorkloads.ChaosRounds.Select(r => r.Key).ShouldBe(["sigkill", "sigstop", "partition", "one-way", "bridge", "transport"]);
        ComparisonWorkloads.Round(ComparisonWorkloads.ChaosRounds[3]).Faults.ShouldHaveSingleItem().Fault.Name.ShouldBe("one-way: node-1 cannot send");
    }

    [Fact]
    public void bench_compare_takes_its_seconds()
    {
        BenchCompareOptions.TryParse(["--seconds", "3"], out var options, out var error).ShouldBeTrue(error);
        options.Seconds.ShouldBe(3);
        options.WarmUpSeconds.ShouldBe(1);
        BenchCompareOptions.TryParse(["--warm-up", "30"], out options, out error).ShouldBeTrue(error);
        options.WarmUpSeconds.ShouldBe(30);
        BenchCompareOptions.TryParse(["--warm-up", "0"], out _, out error).ShouldBeFalse();
        BenchCompareOptions.TryParse(["--clients", "3"], out _, out error).ShouldBeFalse();
        error.ShouldContain("--clients: unknown option");
        BenchCompareOptions.TryParse(["--metrics-out", "/tmp/figures"], out options, out error).ShouldBeTrue(error);
        options.MetricsOut.ShouldBe("/tmp/figures");
        BenchCompareOptions.TryParse(["--metrics-out", " "], out _, out _).ShouldBeFalse();
        BenchCompare.FileName("5×8-04-writes-constant rate, 2744 ops/s").ShouldBe("5-8-04-writes-constant-rate-2744-ops-s");
    }

    [Fact]
    public void bench_compare_reads_a_nodes_jit_time_from_its_metrics()
    {
        const string text = "# TYPE dotnet_jit_compilation_time_seconds_total counter\n"
            + "dotnet_jit_compilation_time_seconds_total{otel_scope_name=\"System.Runtime\"} 12.5 1733580000000\n"
            + "dotnet_jit_compiled_methods_total{otel_scope_name=\"System.Runtime\"} 900\n";
        BenchCompare.JitSeconds(text).ShouldBe(12.5);
        BenchCompare.JitSeconds("dotnet_jit_compilation_time_seconds_total 3.25\n").ShouldBe(3.25);
        BenchCompare.JitSeconds("nodenomad_snapshots_total 1\n").ShouldBeNull();
    }

    [Fact]
    public void bench_compare_counts_the_elections_a_node_won_from_its_metrics()
    {
        const string text = "# TYPE nodenomad_raft_role_changes_total counter\n"
            + "nodenomad_raft_role_changes_total{otel_scope_name=\"NodeNomad.Node\",role=\"follower\"} 9 1733580000000\n"
            + "nodenomad_raft_role_changes_total{otel_scope_name=\"NodeNomad.Node\",role=\"leader\"} 4 1733580000000\n"
            + "nodenomad_raft_role_changes_total{otel_scope_name=\"NodeNomad.Node\",role=\"candidate\"} 5 1733580000000\n"
            + "nodenomad_raft_role_changes_totals{role=\"leader\"} 100\n";
        BenchCompare.ElectionsWon(text).ShouldBe(4);
        BenchCompare.SeriesTotal(text, "nodenomad_raft_role_changes_total", label: null).ShouldBe(18);
        BenchCompare.ElectionsWon("nodenomad_raft_role_changes_total{role=\"follower\"} 2\n").ShouldBeNull();
        BenchCompare.CpuSeconds("dotnet_process_cpu_time_seconds_total{cpu_mode=\"user\"} 3.5\ndotnet_process_cpu_time_seconds_total{cpu_mode=\"system\"} 1.25\n").ShouldBe(4.75);
        BenchCompare.CpuSeconds("").ShouldBe(0);
    }

    [Fact]
    public void bench_compare_measures_only_the_shapes_named_and_refuses_others()
    {
        BenchCompareOptions.TryParse([], out var options, out var error).ShouldBeTrue(error);
        options.Shapes.ShouldBeNull();
        BenchCompareOptions.TryParse(["--shapes", "5x8, 3x8"], out options, out error).ShouldBeTrue(error);
        options.Shapes!.Order().ShouldBe(["3x8", "5x8"]);
        BenchCompareOptions.TryParse(["--shapes", "5x8,7x8"], out _, out error).ShouldBeFalse();
        error.ShouldContain("--shapes");
        BenchCompareOptions.TryParse(["--shapes", ","], out _, out error).ShouldBeFalse();
    }
}
