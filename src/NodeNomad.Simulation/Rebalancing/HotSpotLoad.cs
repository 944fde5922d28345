using System.Globalization;
using NodeNomad.Contracts;
using NodeNomad.Core.Cluster;

namespace NodeNomad.Simulation.Rebalancing;

/// <summary>
/// One node's shards carry most of the cluster's requests. Nothing is sent before <see cref="From"/>; then the node
/// leading the most shards that never moved (ties by name) is the hot node, and <see cref="HotShards"/> of those shards
/// receive <see cref="HotShare"/> of <see cref="Total"/> requests per second, the other shards the rest, evenly. The hot
/// set is the same shards from then on, wherever their leaderships go. Shards that never moved are chosen so that no
/// cooldown holds the first moves back. With <see cref="Pattern"/> the load changes in phases of <see cref="Phase"/>.
/// </summary>
public sealed class HotSpotLoad : ShardLoad
{
    /// <summary>The same skew all along.</summary>
    public const string Steady = "steady";

    /// <summary>The hot share alternates, phase by phase, between the hot set and a second set of as many shards led by another node.</summary>
    public const string Alternating = "alternating";

    /// <summary>The skew comes and goes: a phase with the hot set hot, a phase with every shard even.</summary>
    public const string Swinging = "swinging";

    private readonly List<int> _hot = [];
    private readonly List<int> _second = [];
    private double[]? _even;

    /// <summary>When the requests start (virtual milliseconds).</summary>
    public required long From { get; init; }

    /// <summary>How many shards the hot node's share goes to.</summary>
    public int HotShards { get; init; } = 4;

    /// <summary>The share of the requests the hot set receives.</summary>
    public double HotShare { get; init; } = 0.8;

    /// <summary>Requests per second, all shards together.</summary>
    public double Total { get; init; } = 1_000;

    /// <summary><see cref="Steady"/>, <see cref="Alternating"/> or <see cref="Swinging"/>.</summary>
    public string Pattern { get; init; } = Steady;

    /// <summary>How long each phase of an alternating or swinging load lasts (virtual milliseconds).</summary>
    public long Phase { get; init; } = 60_000;

    /// <summary>The node that led the hot set when the load started, or null before.</summary>
    public string? HotNode { get; private set; }

    /// <summary>The hot set.</summary>
    public IReadOnlyList<int> HotSet => _hot;

    /// <summary>The set that alternates with it (alternating only).</summary>
    public IReadOnlyList<int> SecondSet => _second;

    /// <inheritdoc />
    public override IReadOnlyList<double> Rates(long at, ClusterMap map, Func<int, string?> leaders)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(leaders);
        var shards = map.Shards.Count;
        if (at < From || shards == 0)
        {
            return new double[shards];
        }

        if (HotNode is null)
        {
            Choose(map, leaders);
        }

        var phase = (at - From) / Math.Max(1, Phase);
        var hot = Pattern switch
        {
            Alternating when phase % 2 == 1 => _second,
            Swinging when phase % 2 == 1 => [],
            _ => _hot,
        };
        if (hot.Count == 0)
        {
            return _even ??= [.. Enumerable.Repeat(Total / shards, shards)];
        }

        var cold = (1 - HotShare) * Total / Math.Max(1, shards - hot.Count);
        return [.. Enumerable.Range(0, shards).Select(s => hot.Contains(s) ? HotShare * Total / hot.Count : cold)];
    }

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Pattern} hot spot from t={From} ms: {HotShare * 100:0}% of {Total} requests/s on [{Names(_hot)}], led by {HotNode ?? "-"} at the start")
        + (Pattern == Alternating ? string.Create(CultureInfo.InvariantCulture, $", alternating every {Phase / 1000} s with [{Names(_second)}]") : "")
        + (Pattern == Swinging ? string.Create(CultureInfo.InvariantCulture, $", every shard even every other {Phase / 1000} s") : "");

    private static string Names(IEnumerable<int> shards) => string.Join(", ", shards.Select(ShardNames.Of));

    private void Choose(ClusterMap map, Func<int, string?> leaders)
    {
        var unmoved = map.Shards.Select(s => s.Id)
            .Where(s => map.Handovers.All(h => h.ShardId != s) && map.Migrations.All(m => m.ShardId != s) && leaders(s) is not null)
            .ToList();
        var byNode = unmoved.GroupBy(s => leaders(s)!).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
        HotNode = byNode.Count > 0 ? byNode[0].Key : map.Nodes[0].Id;
        _hot.AddRange(Pick(map, leaders, HotNode, unmoved, []));
        if (Pattern == Alternating)
        {
            var other = byNode.Skip(1).Select(g => g.Key).FirstOrDefault() ?? map.Nodes.First(n => n.Id != HotNode).Id;
            _second.AddRange(Pick(map, leaders, other, unmoved, _hot));
        }
    }

    /// <summary><see cref="HotShards"/> shards led by <paramref name="node"/>, those that never moved first, then any others.</summary>
    private IEnumerable<int> Pick(ClusterMap map, Func<int, string?> leaders, string node, List<int> unmoved, List<int> taken)
    {
        var led = map.Shards.Select(s => s.Id).Where(s => leaders(s) == node && !taken.Contains(s)).ToList();
        var rest = map.Shards.Select(s => s.Id).Where(s => !taken.Contains(s));
        return led.OrderBy(s => unmoved.Contains(s) ? 0 : 1).ThenBy(s => s).Concat(rest.Except(led)).Take(HotShards);
    }
}
