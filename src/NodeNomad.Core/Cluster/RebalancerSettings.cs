using System.Globalization;

namespace NodeNomad.Core.Cluster;

/// <summary>
/// How the load-based rebalancer runs, as the meta group holds it (<see cref="SetRebalancerSettings"/>); a cluster that
/// never set them runs <see cref="Default"/>.
/// </summary>
/// <param name="Enabled">Whether the rebalancer moves anything by itself.</param>
/// <param name="IntervalSeconds">Seconds between two rounds of decisions.</param>
/// <param name="Dimension">The load it balances (<see cref="RebalancerDimensions"/>).</param>
/// <param name="Threshold">A node whose load per unit of weight is at least this many times the mean is hot.</param>
/// <param name="Hysteresis">A hot node is balanced until its load falls to this many times the mean (below <paramref name="Threshold"/>).</param>
/// <param name="CooldownSeconds">Seconds a shard stays put after its leadership or a replica moved.</param>
/// <param name="MaxConcurrentMoves">Moves the rebalancer keeps in flight at once.</param>
/// <param name="SnapshotBandwidthMiB">Snapshot bandwidth of every node, MiB/s (0: no limit); null leaves each node's own option.</param>
public sealed record RebalancerSettings(
    bool Enabled = true,
    int IntervalSeconds = 10,
    string Dimension = RebalancerDimensions.Requests,
    double Threshold = 1.25,
    double Hysteresis = 1.10,
    int CooldownSeconds = 120,
    int MaxConcurrentMoves = 1,
    int? SnapshotBandwidthMiB = null)
{
    /// <summary>The settings of a cluster that never set any.</summary>
    public static RebalancerSettings Default { get; } = new();

    /// <summary>Weights of nodes that differ from their recorded <see cref="NodeRecord.Weight"/>, by node id.</summary>
    public IReadOnlyDictionary<string, int> Weights { get; init; } = new Dictionary<string, int>();

    /// <summary>The weight the rebalancer gives <paramref name="node"/>.</summary>
    public int WeightOf(NodeRecord node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return Math.Max(1, Weights.TryGetValue(node.Id, out var weight) ? weight : node.Weight);
    }

    /// <summary>What is wrong with these settings, field by field (camelCase, as the API names them); empty when nothing is.</summary>
    public IReadOnlyList<(string Field, string Problem)> Problems()
    {
        var problems = new List<(string, string)>();
        if (IntervalSeconds is < 1 or > 3600)
        {
            problems.Add(("intervalSeconds", Say($"intervalSeconds must be between 1 and 3600 (got {IntervalSeconds}).")));
        }

        if (!RebalancerDimensions.All.Contains(Dimension))
        {
            problems.Add(("dimension", $"dimension must be one of {string.Join(", ", RebalancerDimensions.All)} (got \"{Dimension}\")."));
        }

        if (!double.IsFinite(Threshold) || Threshold is <= 1 or > 10)
        {
            problems.Add(("threshold", Say($"threshold must be above 1 and at most 10 (got {Threshold}): a node is hot at threshold × the mean.")));
        }

        if (!double.IsFinite(Hysteresis) || Hysteresis < 1 || Hysteresis >= Threshold)
        {
            problems.Add(("hysteresis", Say($"hysteresis must be at least 1 and below the threshold {Threshold} (got {Hysteresis}): balancing stops below it.")));
        }

        if (CooldownSeconds is < 0 or > 86_400)
        {
            problems.Add(("cooldownSeconds", Say($"cooldownSeconds must be between 0 and 86400 (got {CooldownSeconds}).")));
        }

        if (MaxConcurrentMoves is < 1 or > 64)
        {
            problems.Add(("maxConcurrentMoves", Say($"maxConcurrentMoves must be between 1 and 64 (got {MaxConcurrentMoves}).")));
        }

        if (SnapshotBandwidthMiB is < 0 or > 100_000)
        {
            problems.Add(("snapshotBandwidthMiB", Say($"snapshotBandwidthMiB must be between 0 (no limit) and 100000 MiB/s, or null (got {SnapshotBandwidthMiB}).")));
        }

        foreach (var (node, weight) in Weights)
        {
            if (string.IsNullOrWhiteSpace(node) || weight is < 1 or > 1000)
            {
                problems.Add(("weights", Say($"weights must map node ids to weights between 1 and 1000 (got {node}: {weight}).")));
            }
        }

        return problems;
    }

    private static string Say(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
