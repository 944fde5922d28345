using System.Collections.Concurrent;

namespace NodeNomad.Node.Transport;

/// <summary>One snapshot sent (or being sent) to a peer, as the sender sees it.</summary>
/// <param name="GroupId">The group.</param>
/// <param name="PeerId">The receiving replica.</param>
/// <param name="Index">The log index the snapshot stands at.</param>
/// <param name="TotalBytes">The snapshot's data bytes.</param>
/// <param name="SentBytes">Bytes the peer holds once what was written arrives (a resumed send counts what it held).</param>
/// <param name="ResumedFrom">Where this send started: 0, or where an interrupted one stopped.</param>
/// <param name="StartedAt">When this send started.</param>
/// <param name="EndedAt">When it ended, or null while it runs.</param>
/// <param name="Succeeded">Whether it was sent whole; null while it runs.</param>
public sealed record SnapshotTransfer(
    ulong GroupId,
    ulong PeerId,
    ulong Index,
    long TotalBytes,
    long SentBytes,
    long ResumedFrom,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    bool? Succeeded)
{
    /// <summary>Bytes per second this send moved (resumed bytes not counted).</summary>
    public double? BytesPerSecond(DateTimeOffset now)
    {
        var seconds = ((EndedAt ?? now) - StartedAt).TotalSeconds;
        return seconds > 0.05 ? (SentBytes - ResumedFrom) / seconds : null;
    }
}

/// <summary>The newest snapshot send to each peer of each group: what the migration API shows as bytes sent and total.</summary>
public sealed class SnapshotTransfers(TimeProvider? time = null)
{
    private readonly ConcurrentDictionary<(ulong GroupId, ulong PeerId), SnapshotTransfer> _transfers = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The newest send of group <paramref name="groupId"/>'s snapshot to <paramref name="peerId"/>, if any.</summary>
    public SnapshotTransfer? Of(ulong groupId, ulong peerId) => _transfers.GetValueOrDefault((groupId, peerId));

    /// <summary>Every group and peer's newest send.</summary>
    public IReadOnlyList<SnapshotTransfer> All => [.. _transfers.Values];

    internal void Started(ulong peerId, OutgoingSnapshot outgoing)
    {
        var metadata = outgoing.Message.Message.Snapshot!.Metadata;
        _transfers[(outgoing.Message.GroupId, peerId)] = new SnapshotTransfer(
            outgoing.Message.GroupId, peerId, metadata.Index, outgoing.Total, outgoing.Sent, outgoing.ResumedFrom, _time.GetUtcNow(), null, null);
    }

    internal void Progress(ulong peerId, OutgoingSnapshot outgoing)
    {
        var key = (outgoing.Message.GroupId, peerId);
        if (_transfers.TryGetValue(key, out var transfer))
        {
            _transfers[key] = transfer with { SentBytes = outgoing.Sent };
        }
    }

    internal void Ended(ulong peerId, OutgoingSnapshot outgoing, bool ok)
    {
        var key = (outgoing.Message.GroupId, peerId);
        if (_transfers.TryGetValue(key, out var transfer))
        {
            _transfers[key] = transfer with { SentBytes = outgoing.Sent, EndedAt = _time.GetUtcNow(), Succeeded = ok };
        }
    }
}
