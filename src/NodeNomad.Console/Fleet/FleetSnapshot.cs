using NodeNomad.Contracts.Fleet;

namespace NodeNomad.Console.Fleet;

/// <summary>The fleet at one moment; immutable, so a page renders one consistent picture.</summary>
/// <param name="Nodes">The nodes, by id.</param>
/// <param name="Shards">The shards, by id.</param>
/// <param name="Events">Recent events, newest first.</param>
/// <param name="History">The cluster's load, a sample a second, oldest first.</param>
/// <param name="At">When it was taken.</param>
public sealed record FleetSnapshot(
    IReadOnlyList<NodeView> Nodes,
    IReadOnlyList<ShardView> Shards,
    IReadOnlyList<FleetEvent> Events,
    IReadOnlyList<LoadSample> History,
    DateTimeOffset At)
{
    /// <summary>Nothing known yet.</summary>
    public static FleetSnapshot Empty { get; } = new([], [], [], [], DateTimeOffset.MinValue);

    /// <summary>Nodes up.</summary>
    public int NodesUp => Nodes.Count(n => n.IsUp);

    /// <summary>Nodes not up.</summary>
    public int NodesDown => Nodes.Count - NodesUp;

    /// <summary>Shards in <paramref name="health"/>.</summary>
    public int ShardsIn(ShardHealth health) => Shards.Count(s => s.Health == health);

    /// <summary>The latest load sample, or zeros.</summary>
    public LoadSample Load => History.Count > 0 ? History[^1] : new LoadSample(At, 0, 0, 0);

    /// <summary>The shard with id <paramref name="id"/>, or null.</summary>
    public ShardView? Shard(int id) => Shards.FirstOrDefault(s => s.Info.Id == id);

    /// <summary>The node with id <paramref name="id"/>, or null.</summary>
    public NodeView? Node(string id) => Nodes.FirstOrDefault(n => n.Id == id);
}
