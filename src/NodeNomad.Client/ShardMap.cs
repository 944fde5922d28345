using System.Globalization;
using NodeNomad.Contracts;

namespace NodeNomad.Client;

/// <summary>
/// The cluster's shards and nodes as one node reported them: which contiguous range of key positions each shard
/// owns, which node leads it, and where each node serves. A snapshot: it does not change once read.
/// </summary>
public sealed class ShardMap
{
    private readonly OwnedRange[] ranges;
    private readonly Dictionary<string, NodeInfo> nodesById;
    private readonly Uri[] usableUrls;

    internal ShardMap(IReadOnlyList<ShardInfo> shards, IReadOnlyList<NodeInfo> nodes, Uri source, DateTimeOffset readAt)
    {
        Shards = shards;
        Nodes = nodes;
        Source = source;
        ReadAt = readAt;
        ranges = [.. shards.Select(OwnedRange.Of).OrderBy(range => range.Start)];
        nodesById = nodes.GroupBy(node => node.Id, StringComparer.Ordinal).ToDictionary(group => group.Key, group => group.First(), StringComparer.Ordinal);
        usableUrls = [.. nodes.Select(UsableUrl).OfType<Uri>()];
    }

    /// <summary>The shards, as the node listed them.</summary>
    public IReadOnlyList<ShardInfo> Shards { get; }

    /// <summary>The nodes, as the node listed them.</summary>
    public IReadOnlyList<NodeInfo> Nodes { get; }

    /// <summary>The client URL of the node the map was read from.</summary>
    public Uri Source { get; }

    /// <summary>When the map was read.</summary>
    public DateTimeOffset ReadAt { get; }

    /// <summary>The shard whose range holds <paramref name="key"/>'s position, or null when no shard of this map does.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The shard, or null.</returns>
    public ShardInfo? ShardOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return ShardAt(KeyPosition.Of(key));
    }

    /// <summary>The client URL of <paramref name="shard"/>'s leader, or null when no leader is known or it cannot be reached.</summary>
    /// <param name="shard">A shard of this map.</param>
    /// <returns>The URL, or null.</returns>
    public Uri? LeaderUrlOf(ShardInfo shard)
    {
        ArgumentNullException.ThrowIfNull(shard);
        return shard.LeaderId is { } leader && nodesById.TryGetValue(leader, out var node) ? UsableUrl(node) : null;
    }

    /// <summary>
    /// Where to send a request for <paramref name="key"/>: its shard's leader; when none is known, one of the shard's
    /// reachable replicas, else any reachable node (which forwards it), chosen by <paramref name="spread"/> so that
    /// successive attempts try different nodes.
    /// </summary>
    internal KeyRoute Route(string key, int spread)
    {
        var shard = ShardAt(KeyPosition.Of(key));
        if (shard is null)
        {
            return new KeyRoute(AnyNode(spread), null);
        }

        if (LeaderUrlOf(shard) is { } leader)
        {
            return new KeyRoute(leader, shard);
        }

        Uri[] replicas = [.. shard.Replicas.Select(r => nodesById.GetValueOrDefault(r.NodeId)).OfType<NodeInfo>().Select(UsableUrl).OfType<Uri>()];
        return new KeyRoute(replicas.Length > 0 ? replicas[spread % replicas.Length] : AnyNode(spread), shard);
    }

    /// <summary>A reachable node, chosen by <paramref name="spread"/>; the map's source when the map names none.</summary>
    internal Uri AnyNode(int spread) => usableUrls.Length > 0 ? usableUrls[spread % usableUrls.Length] : Source;

    /// <summary>Client URLs of the nodes believed reachable.</summary>
    internal IReadOnlyList<Uri> UsableUrls => usableUrls;

    private ShardInfo? ShardAt(ulong position)
    {
        // Ranges are few (tens); the last whose start is at or before the position is the candidate.
        var low = 0;
        var high = ranges.Length - 1;
        var found = -1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            if (ranges[middle].Start <= position)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return found >= 0 && position <= ranges[found].End ? ranges[found].Shard : null;
    }

    private static Uri? UsableUrl(NodeInfo node) =>
        node.State is not (NodeStates.Down or NodeStates.Removed) && Uri.TryCreate(node.ClientUrl, UriKind.Absolute, out var url) ? url : null;

    private sealed record OwnedRange(ulong Start, ulong End, ShardInfo Shard)
    {
        public static OwnedRange Of(ShardInfo shard) => new(Position(shard.RangeStart, shard), Position(shard.RangeEnd, shard), shard);

        private static ulong Position(string hex, ShardInfo shard) =>
            ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var position)
                ? position
                : throw new FormatException($"Shard {shard.Id} has the range bound '{hex}', which is not 16 hex digits.");
    }
}
