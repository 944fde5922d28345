namespace NodeNomad.Core.Cluster;

/// <summary>Temporary placement (replaced by the ring).</summary>
public sealed class PlacementRing(IEnumerable<(string NodeId, int Weight)> nodes)
{
    private readonly List<string> _nodes = [.. nodes.Select(n => n.NodeId).Order(StringComparer.Ordinal)];

    /// <summary>Placement.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Place(int shardCount, int replicationFactor) =>
        [.. Enumerable.Range(0, shardCount).Select(i => (IReadOnlyList<string>)[.. Enumerable.Range(0, replicationFactor).Select(k => _nodes[(i + k) % _nodes.Count])])];
}
