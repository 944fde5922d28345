using System.Globalization;
using NodeNomad.Core.Cluster;
using NodeNomad.Simulation.Rebalancing;

namespace NodeNomad.Simulation.Tests;

/// <summary>
/// A node that joins receives replicas and leaderships, in the node's own core: the placement driver gives it its share of
/// replicas (every node ends within one of every other) and hands it leaderships until every node leads within one of its
/// share, each hand-over saying why ("join: n5 leads 0 of 16 shards (its share 3.2); …"), whether or not the load
/// rebalancer runs. With the rebalancer balancing a hot spot at the same time, the two do not fight: the rebalancer starts
/// nothing while a join migration is in flight, and no shard's leadership or replica goes back to a node it left. Each seed
/// prints its figures; a failure prints its report.
/// </summary>
public class JoinLeadershipSeedsTests(ITestOutputHelper output)
{
    private const long JoinAt = 20_000;
    private const long Duration = 140_000;

    [Theory]
    [InlineData(4, 16, false)]
    [InlineData(5, 8, false)]
    [InlineData(4, 16, true)]
    public void a_joining_node_receives_replicas_and_leaderships_until_balanced_over_6_seeds(int nodes, int shards, bool rebalancing)
    {
        var failures = new List<string>();
        foreach (var seed in Enumerable.Range(1, 6))
        {
            var scenario = new RebalancingScenario
            {
                Nodes = nodes,
                Shards = shards,
                JoinAt = JoinAt,
                Noise = 0.1,
                Rules = RebalancerSettings.Default with { Enabled = rebalancing },
                Load = _ => new HotSpotLoad { From = rebalancing ? JoinAt - 10_000 : long.MaxValue, HotShards = 4 },
            };
            var result = new RebalancingSimulation(seed, scenario).Run(Duration);
            var (figures, failure) = Judge(result);
            output.WriteLine(figures);
            if (failure is not null)
            {
                failures.Add($"{failure}{Environment.NewLine}{result.Report}");
            }
        }

        failures.ShouldBeEmpty(string.Join(Environment.NewLine, failures.Take(2)));
    }

    private static (string Figures, string? Failure) Judge(RebalancingResult result)
    {
        var map = result.FinalMap!;
        var joiner = result.Joiner!;
        var active = map.Nodes.Where(n => n.IsActive).Select(n => n.Id).ToList();
        var leads = active.ToDictionary(id => id, id => result.FinalLeaders.Count(l => l.Value == id));
        var holds = active.ToDictionary(id => id, id => map.Shards.Count(s => s.Replicas.Contains(id)));
        var share = map.Shards.Count / (double)active.Count;
        var placed = result.Asked.Where(m => m.At >= JoinAt && m.Reason.Split(' ', ':')[0] is PlacementPolicy.Join or PlacementPolicy.Balance).ToList();
        var given = placed.Where(m => m.Kind == ShardMove.Handover && m.Target == joiner).ToList();
        var firstLeadership = result.Changes.FirstOrDefault(c => c.Kind == ShardChange.Leader && c.To == joiner);
        var origin = SimulatedClock.Origin.ToUnixTimeMilliseconds();
        var joins = result.Asked.Where(m => m.Kind == ShardMove.Migration && m.Reason == PlacementPolicy.Join).ToList();
        var crowding = result.Moves.Where(m => joins.Any(j => j.At <= m.Decision.At - origin && m.Decision.At - origin < (j.EndedAt ?? long.MaxValue))).ToList();
        var pingPongs = ConvergenceFigures.PingPongs(result, JoinAt);
        var figures = string.Create(CultureInfo.InvariantCulture,
            $"seed {result.Seed}: {joiner} joined at {JoinAt / 1000} s; leads {string.Join(" ", leads.Select(l => $"{l.Key}={l.Value}"))} (share {share:0.##}); "
            + $"holds {string.Join(" ", holds.Select(h => $"{h.Key}={h.Value}"))}; {joins.Count} join migrations, {given.Count} leaderships handed to {joiner} "
            + $"({placed.Count(m => m.Kind == ShardMove.Handover)} by count in all), its first lead at {(firstLeadership?.At - JoinAt) / 1000.0:0.#} s after joining, "
            + $"the placement driver's last move at {(placed.Select(m => (long?)m.At).Max() - JoinAt) / 1000.0:0.#} s; {result.Moves.Count} rebalancer moves; "
            + $"at most {result.MostInFlight} moves in flight; first: {given.FirstOrDefault()?.Reason}");
        string? failure = null;
        if (leads.FirstOrDefault(l => Math.Abs(l.Value - share) > 1) is { Key: not null } off)
        {
            failure = string.Create(CultureInfo.InvariantCulture, $"Seed {result.Seed}: {off.Key} leads {off.Value}, more than one off the share {share:0.##}.");
        }
        else if (holds.Values.Max() - holds.Values.Min() > 1)
        {
            failure = $"Seed {result.Seed}: the nodes hold {string.Join(", ", holds.Values)} replicas, not within one of each other.";
        }
        else if (given.Count == 0 || !given.All(m => m.Reason.StartsWith($"join: {joiner} leads ", StringComparison.Ordinal)))
        {
            failure = $"Seed {result.Seed}: the leaderships handed to {joiner} do not say it joined short of its share: {string.Join("; ", given.Select(m => m.Reason))}";
        }
        else if (crowding.Count > 0)
        {
            failure = $"Seed {result.Seed}: the rebalancer moved while a join migration was in flight: {crowding[0].Decision.Reason}";
        }
        else if (pingPongs.Count > 0)
        {
            failure = $"Seed {result.Seed}: a shard went back where it was: {string.Join("; ", pingPongs)}";
        }

        return (figures, failure);
    }
}
