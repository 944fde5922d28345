using NodeNomad.Core.KeyValue;
using NodeNomad.Node.Transport;
using NodeNomad.Raft;

namespace NodeNomad.Node.Shards;

/// <summary>Decodes a received shard snapshot into its state machine as it arrives; other snapshots (the cluster map's) are left alone.</summary>
public sealed class KvSnapshotPreparer : ISnapshotPreparer
{
    /// <inheritdoc />
    public object? Prepare(SnapshotData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Span<byte> head = stackalloc byte[4];
        using (var peek = data.OpenRead())
        {
            if (peek.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) < head.Length || !KvStateMachine.IsKeyValueSnapshot(head))
            {
                return null;
            }
        }

        using var stream = data.OpenRead();
        return KvStateMachine.Restore(stream);
    }
}
