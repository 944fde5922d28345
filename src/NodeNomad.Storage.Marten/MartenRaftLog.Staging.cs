using System.Collections.Concurrent;
using Npgsql;
using NodeNomad.Raft;

namespace NodeNomad.Storage.Marten;

public sealed partial class MartenRaftLog
{
    // Staged rows not stored within this long are deleted by the next save or compaction that stores a snapshot.
    private const long StagedLifetimeMs = 5 * 60 * 1000;

    // Snapshots whose rows were copied ahead (StageSnapshot, on any thread), waiting for the save or compaction that stores them.
    private readonly ConcurrentDictionary<StagedKey, StagedChunks> _staged = new();

    /// <inheritdoc />
    public bool StagesSnapshots => true;

    /// <inheritdoc />
    /// <remarks>
    /// Copies the snapshot's rows under an id of their own, in a transaction of their own; storing the snapshot then
    /// renames them inside its transaction instead of copying the bytes on the node's loop. Rows staged and never
    /// stored are deleted once stale, and by the node's next recovery.
    /// </remarks>
    public void StageSnapshot(ulong groupId, Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var key = new StagedKey(groupId, snapshot.Metadata.Index, snapshot.Metadata.Term);
        if (_state != LogState.Open || _staged.ContainsKey(key))
        {
            return;
        }

        // The interface's staging is synchronous: a caller that stages runs it off the node's loop, on a thread of its own.
        StagedChunks staged = StageAsync(groupId, snapshot).GetAwaiter().GetResult();
        if (!_staged.TryAdd(key, staged))
        {
            DeleteStagedAsync([staged.Id]).GetAwaiter().GetResult();
        }
    }

    private static bool SameMembers(ConfState a, ConfState b) =>
        a.Voters.SequenceEqual(b.Voters) && a.Learners.SequenceEqual(b.Learners) && a.VotersOutgoing.SequenceEqual(b.VotersOutgoing);

    private async Task<StagedChunks> StageAsync(ulong groupId, Snapshot snapshot)
    {
        string id = SnapshotChunks.StagedIdOf(SnapshotIdOf(_nodeId, groupId));
        await using NpgsqlConnection connection = _store.Storage.Database.CreateConnection();
        await connection.OpenAsync().ConfigureAwait(false);
        StoredChunks stored = await SnapshotChunks.StageAsync(connection, Schema, id, snapshot.Data, CancellationToken.None).ConfigureAwait(false);
        return new StagedChunks(id, snapshot.Metadata.ConfState, stored, Environment.TickCount64);
    }

    private async Task DeleteStagedAsync(string[] ids)
    {
        await using NpgsqlConnection connection = _store.Storage.Database.CreateConnection();
        await connection.OpenAsync().ConfigureAwait(false);
        await SnapshotChunks.DeleteAsync(connection, null, Schema, ids, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores <paramref name="snapshot"/>'s rows inside <paramref name="transaction"/>: the rows staged for the same group,
    /// index, term, members and length, renamed, or else the bytes copied now. Stale staged rows go in the same transaction.
    /// </summary>
    private async Task<StoredChunks> StoreChunksAsync(
        NpgsqlTransaction transaction, ulong groupId, Snapshot snapshot, CancellationToken cancellationToken)
    {
        string[] stale = [.. _staged.Where(s => Environment.TickCount64 - s.Value.At > StagedLifetimeMs)
            .Select(s => _staged.TryRemove(s.Key, out StagedChunks? removed) ? removed.Id : null)
            .OfType<string>()];
        if (stale.Length > 0)
        {
            await SnapshotChunks.DeleteAsync(transaction.Connection!, transaction, Schema, stale, cancellationToken).ConfigureAwait(false);
        }

        string snapshotId = SnapshotIdOf(_nodeId, groupId);
        SnapshotMetadata metadata = snapshot.Metadata;
        if (_staged.TryRemove(new StagedKey(groupId, metadata.Index, metadata.Term), out StagedChunks? staged))
        {
            if (staged.Stored.Length == snapshot.Data.Length && SameMembers(staged.ConfState, metadata.ConfState)
                && await SnapshotChunks.TakeStagedAsync(transaction, Schema, snapshotId, staged.Id, staged.Stored.Chunks, cancellationToken).ConfigureAwait(false))
            {
                return staged.Stored;
            }

            await SnapshotChunks.DeleteAsync(transaction.Connection!, transaction, Schema, [staged.Id], cancellationToken).ConfigureAwait(false);
        }

        return await SnapshotChunks.WriteAsync(transaction, Schema, snapshotId, snapshot.Data, cancellationToken).ConfigureAwait(false);
    }

    private readonly record struct StagedKey(ulong GroupId, ulong Index, ulong Term);

    private sealed record StagedChunks(string Id, ConfState ConfState, StoredChunks Stored, long At);
}
