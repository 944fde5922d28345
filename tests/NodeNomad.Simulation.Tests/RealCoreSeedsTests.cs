using System.Globalization;
using NodeNomad.Node.Runtime;

namespace NodeNomad.Simulation.Tests;

/// <summary>
/// The simulation of the node's own <see cref="NodeCore"/>: 1,000 fixed seeds in ten cases, so progress shows; any
/// number of other seeds on demand; one seed replayed. A failure prints the seed's report and the command replaying it.
/// </summary>
public class RealCoreSeedsTests(ITestOutputHelper output)
{
    private const int SeedsPerCase = 100;

    /// <summary>How many seeds <see cref="runs_as_many_real_core_seeds_as_asked"/> runs.</summary>
    public const string SeedsVariable = "NODENOMAD_CORE_SIM_SEEDS";

    /// <summary>The first of them (default: a random start, printed).</summary>
    public const string FirstSeedVariable = "NODENOMAD_CORE_SIM_FIRST_SEED";

    [Theory]
    [InlineData(1)]
    [InlineData(101)]
    [InlineData(201)]
    [InlineData(301)]
    [InlineData(401)]
    [InlineData(501)]
    [InlineData(601)]
    [InlineData(701)]
    [InlineData(801)]
    [InlineData(901)]
    public void a_fixed_set_of_1000_real_core_seeds_all_pass(int first) =>
        ShouldAllPass(Enumerable.Range(first, SeedsPerCase));

    [Fact]
    public void runs_as_many_real_core_seeds_as_asked()
    {
        var count = Environment.GetEnvironmentVariable(SeedsVariable) is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : 20;
        var first = Environment.GetEnvironmentVariable(FirstSeedVariable) is { Length: > 0 } start
            ? int.Parse(start, CultureInfo.InvariantCulture)
            : new Random().Next(1_000_000, int.MaxValue / 2);
        output.WriteLine($"Seeds {first} to {first + count - 1} ({FirstSeedVariable}={first} {SeedsVariable}={count} replays them)");
        ShouldAllPass(Enumerable.Range(first, count));
    }

    [Fact]
    public void the_same_seed_gives_the_same_run()
    {
        var first = CoreSeedRunner.Run(77);
        var second = CoreSeedRunner.Run(77);
        first.Failure.ShouldBeNull();
        second.TraceHash.ShouldBe(first.TraceHash);
        second.Result!.Events.ShouldBe(first.Result!.Events);
        CoreSeedRunner.Run(78).TraceHash.ShouldNotBe(first.TraceHash, "another seed takes another course");
    }

    [Fact]
    public void the_seeds_exercise_faults_membership_changes_replica_moves_and_clients()
    {
        var results = Enumerable.Range(1, 60).Select(seed => CoreSeedRunner.Run(seed).Result!).ToList();
        results.Sum(r => r.Crashes).ShouldBeGreaterThan(20);
        results.Sum(r => r.SaveFailures).ShouldBeGreaterThan(5);
        results.Sum(r => r.Partitions).ShouldBeGreaterThan(10);
        results.Sum(r => r.Completed).ShouldBeGreaterThan(1000);
        results.Count(r => r.JoinerPromoted).ShouldBeGreaterThan(10, "the joining node is added to the meta group and promoted once caught up");
        results.Count(r => r.Settings.ReplicationFactor == 1).ShouldBeGreaterThan(0);
        results.Sum(r => r.MovesDone).ShouldBeGreaterThan(40, "shard replicas move from node to node through the core's own migration driver");
        results.Sum(r => r.MovesUndone).ShouldBeGreaterThan(5, "moves are cancelled, or rolled back when they stall");
        results.Sum(r => r.Cancels).ShouldBeGreaterThan(5);
        results.Sum(r => r.Transfers).ShouldBeGreaterThan(10, "leaderships are handed on by request");
        results.Sum(r => r.StatesCompared).ShouldBeGreaterThan(1000, "replicas' contents are compared at the same applied index");
        results.Count(r => r.Settings.Shards == 1).ShouldBeGreaterThan(0, "some seeds run a single data group");
    }

    private void ShouldAllPass(IEnumerable<int> seeds)
    {
        var failures = seeds.Select(seed => CoreSeedRunner.Run(seed)).Where(o => !o.Passed).ToList();
        foreach (var failure in failures)
        {
            output.WriteLine(failure.Failure!);
        }

        failures.Select(f => f.Seed).ShouldBeEmpty(string.Join(Environment.NewLine + Environment.NewLine, failures.Take(2).Select(f => f.Failure)));
    }
}
