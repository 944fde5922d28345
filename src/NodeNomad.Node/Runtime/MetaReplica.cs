using NodeNomad.Core.Cluster;
using NodeNomad.Raft;
using NodeNomad.Storage;

namespace NodeNomad.Node.Runtime;

/// <summary>
/// This node's member of the meta group (Raft group 0), whose state machine holds the <see cref="ClusterMap"/>:
/// nodes, shards, their replicas and epochs. Every node hosts one (a voter on the first few nodes, a learner on
/// the rest), so every node routes by a map it applied itself.
/// </summary>
public sealed class MetaReplica : GroupReplica
{
    /// <summary>The meta group's id.</summary>
    public const ulong MetaGroupId = 0;

    private MetaStateMachine _machine = new();
    private volatile ClusterMap _map = ClusterMap.Empty;

    internal MetaReplica(ReplicaContext context)
        : base(context, MetaGroupId, context.SelfReplicaId, MetaGroupId)
    {
    }

    /// <summary>The cluster map as of the last applied meta entry.</summary>
    public ClusterMap Map => _map;

    /// <inheritdoc />
    protected override object? ApplyCommand(Entry entry)
    {
        MetaCommand command;
        try
        {
            command = MetaStateMachine.Decode(entry.Data.Span);
        }
        catch (FormatException e)
        {
            throw new LogCorruptedException($"Entry {entry.Index} of the meta group passed its checksum but is not a meta command.", e);
        }

        var refused = _machine.Apply((long)entry.Index, command);
        _map = _machine.Map;
        return refused;
    }

    /// <inheritdoc />
    protected override Action<Stream> CaptureState()
    {
        // The cluster map is small: serialized now, written later.
        var bytes = _machine.Serialize();
        return stream => stream.Write(bytes);
    }

    /// <inheritdoc />
    protected override void RestoreState(Snapshot snapshot)
    {
        try
        {
            _machine = MetaStateMachine.Restore(snapshot.Data.ToArray());
        }
        catch (FormatException e)
        {
            throw new LogCorruptedException($"The meta group's snapshot at index {snapshot.Metadata.Index} passed its checksum but does not restore; refusing to start.", e);
        }

        _map = _machine.Map;
    }
}
