using System.Globalization;

namespace NodeNomad.Core.Cluster;

/// <summary>
/// How many replicas (voting or learning) each node holds, for its weight (<see cref="NodeRecord.Weight"/>), and the
/// rule by which the placement driver evens them out: it moves a replica from a donor to a receiver while the donor
/// holds more for its weight than the receiver would after one more (<see cref="Evens"/>). The load rebalancer moves a
/// replica only when that leaves no pair the placement driver would even out (<see cref="Unbalances"/>), so the two
/// never undo each other's replica moves.
/// </summary>
public sealed class ReplicaCounts
{
    private readonly Dictionary<string, int> _counts;
    private readonly Dictionary<string, int> _weights;

    /// <param name="map">The map whose replicas are counted.</param>
    /// <param name="nodes">The nodes counted (active and up).</param>
    public ReplicaCounts(ClusterMap map, IEnumerable<NodeRecord> nodes)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(nodes);
        var counted = nodes.ToList();
        _counts = counted.ToDictionary(n => n.Id, n => map.Shards.Count(s => s.IsHeldBy(n.Id)), StringComparer.Ordinal);
        _weights = counted.ToDictionary(n => n.Id, n => Math.Max(1, n.Weight), StringComparer.Ordinal);
    }

    /// <summary>How many replicas <paramref name="nodeId"/> holds.</summary>
    public int Of(string nodeId) => _counts.GetValueOrDefault(nodeId);

    /// <summary>
    /// Whether a node holding <paramref name="donor"/> replicas at weight <paramref name="donorWeight"/> should give one
    /// to a node holding <paramref name="receiver"/> at weight <paramref name="receiverWeight"/>: it holds more for its
    /// weight than the receiver would with one more.
    /// </summary>
    public static bool Evens(int donor, int donorWeight, int receiver, int receiverWeight) =>
        (long)donor * receiverWeight > (long)(receiver + 1) * donorWeight;

    /// <summary>
    /// Why changing the replicas of nodes by <paramref name="changes"/> (node → replicas gained, or lost when negative)
    /// would leave a pair of nodes the placement driver evens out, one of them a node that gains (as the donor) or loses
    /// (as the receiver); or null when it would not. Nodes not counted take no part.
    /// </summary>
    public string? Unbalances(IReadOnlyDictionary<string, int> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var after = new Dictionary<string, int>(_counts, StringComparer.Ordinal);
        foreach (var (node, change) in changes.Where(c => _counts.ContainsKey(c.Key)))
        {
            after[node] += change;
        }

        foreach (var (node, change) in changes.Where(c => _counts.ContainsKey(c.Key) && c.Value != 0).OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            foreach (var other in after.Keys.Where(o => o != node).Order(StringComparer.Ordinal))
            {
                if (change > 0 ? Evens(after[node], _weights[node], after[other], _weights[other]) : Evens(after[other], _weights[other], after[node], _weights[node]))
                {
                    return Say($"{node} would hold {after[node]} replicas and {other} {after[other]}, which the placement driver evens out");
                }
            }
        }

        return null;
    }

    private static string Say(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
