using JasperFx;
using JasperFx.Events;
using Marten;
using Npgsql;
using NodeNomad.Raft;

namespace NodeNomad.Storage.Marten;

public sealed partial class MartenRaftLog
{
    /// <inheritdoc />
    /// <remarks>There is no torn tail: a batch is one transaction, so <see cref="RecoveredLog.TruncatedTailBytes"/> is 0.</remarks>
    /// <exception cref="LogCorruptedException">
    /// The stream and the snapshot documents disagree, events are missing, or a snapshot's chunk rows are damaged.
    /// </exception>
    public async Task<RecoveredLog> RecoverAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_state == LogState.Disposed, this);
        if (_state != LogState.New)
        {
            throw new InvalidOperationException("The log is recovered once, before any write.");
        }

        await CreateSchemaObjectsAsync(cancellationToken).ConfigureAwait(false);
        await CreateChunkTableAsync(cancellationToken).ConfigureAwait(false);
        await using IQuerySession session = _store.QuerySession();
        NodeLogHead? head = await session.LoadAsync<NodeLogHead>(_nodeId, cancellationToken).ConfigureAwait(false);
        _generation = head?.Generation ?? 0;
        StreamReplay replay = await ReplayAsync(session, cancellationToken).ConfigureAwait(false);

        IReadOnlyList<GroupSnapshotDocument> documents = await session.Query<GroupSnapshotDocument>()
            .Where(d => d.NodeId == _nodeId)
            .ToListAsync(cancellationToken)
            .ConfigureAwait(false);
        Dictionary<ulong, Snapshot> snapshots = [];
        PrepareSnapshotDirectory();
        foreach (GroupSnapshotDocument document in documents)
        {
            var metadata = new SnapshotMetadata(document.Index, document.Term, new ConfState(document.Voters, document.Learners, document.VotersOutgoing));
            snapshots[document.GroupId] = new Snapshot(metadata, await ReadSnapshotAsync(document, cancellationToken).ConfigureAwait(false));
        }

        Dictionary<ulong, RecoveredGroup> groups = replay.Finish(snapshots);

        foreach (RecoveredGroup group in groups.Values)
        {
            _positions[group.GroupId] = new GroupLogPosition(group.Snapshot?.Metadata.Index ?? 0, group.LastIndex);
        }

        foreach (GroupSnapshotDocument document in documents)
        {
            _snapshotBytes[document.GroupId] = IsInline(document) ? document.Data.Length : document.Length;
        }

        _live = replay;
        _state = LogState.Open;
        return new RecoveredLog(groups, 0);
    }

    /// <summary>
    /// A stored snapshot's bytes: copied from the chunk table into a file of the snapshot folder, a row at a time, or
    /// (a document written before that table) the bytes the document carries.
    /// </summary>
    private async Task<SnapshotData> ReadSnapshotAsync(GroupSnapshotDocument document, CancellationToken cancellationToken)
    {
        if (IsInline(document))
        {
            return SnapshotData.FromBytes(document.Data);
        }

        string path = Path.Combine(_snapshotDirectory, $"group-{document.GroupId}-{document.Index}.snap");
        await using (NpgsqlConnection connection = _store.Storage.Database.CreateConnection())
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await SnapshotChunks.ReadToFileAsync(connection, Schema, document, path, cancellationToken).ConfigureAwait(false);
        }

        _recoveredFiles[document.GroupId] = path;
        return SnapshotData.FromFile(path, 0, document.Length);
    }

    /// <summary>Whether the document carries its bytes: one written before the chunk table, so without a SHA-256.</summary>
    private static bool IsInline(GroupSnapshotDocument document) => document.Sha256.Length == 0;

    /// <summary>Empties the snapshot folder (files an earlier process recovered are stale) and creates it.</summary>
    private void PrepareSnapshotDirectory()
    {
        if (Directory.Exists(_snapshotDirectory))
        {
            Directory.Delete(_snapshotDirectory, recursive: true);
        }

        _ = Directory.CreateDirectory(_snapshotDirectory);
    }

    /// <summary>Replays the current generation's stream, and notes its version and size.</summary>
    private async Task<StreamReplay> ReplayAsync(IQuerySession session, CancellationToken cancellationToken)
    {
        IReadOnlyList<IEvent> events = await session.Events.FetchStreamAsync(StreamKey, token: cancellationToken).ConfigureAwait(false);
        long version = events.Count > 0 ? events[^1].Version : 0;

        var replay = new StreamReplay(StreamKey);
        if (_generation > 0 && (events.Count == 0 || events[0].Data is not LogGenerationStarted))
        {
            throw new LogCorruptedException($"The log in stream '{StreamKey}' is damaged: generation {_generation} does not start with its checkpoint.");
        }

        long bytes = 0;
        foreach (IEvent e in events)
        {
            List<GroupRecord> groups = e.Data switch
            {
                LogBatchAppended batch => batch.Groups,
                LogGenerationStarted started when e.Version == 1 && started.Generation == _generation => started.Groups,
                _ => throw new LogCorruptedException(
                    $"The log in stream '{StreamKey}' is damaged: event {e.Version} ({e.Data.GetType().Name}) does not belong in generation {_generation}."),
            };

            foreach (GroupRecord group in groups)
            {
                replay.Apply(group, e.Version);
            }

            bytes += SizeOf(groups);
        }

        _version = version;
        _eventBytes = bytes;
        return replay;
    }

    /// <summary>
    /// Creates the snapshot chunk table when it is missing and the store creates its objects (so also for a store the
    /// caller configured); without auto-creation, a missing table fails recovery as a missing Marten table would.
    /// Then deletes the node's staged rows.
    /// </summary>
    private async Task CreateChunkTableAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = _store.Storage.Database.CreateConnection();
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (_store.Options is StoreOptions { AutoCreateSchemaObjects: AutoCreate.None })
        {
            await SnapshotChunks.ProbeAsync(connection, Schema, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await SnapshotChunks.CreateTableAsync(connection, Schema, cancellationToken).ConfigureAwait(false);
        }

        // Rows an earlier process of this node staged and never stored.
        await SnapshotChunks.SweepStagedAsync(connection, Schema, _nodeId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates the schema's tables when auto-creation is on. The nodes of a new cluster start together on one schema
    /// and PostgreSQL refuses concurrent creation of the same objects (a unique violation in its catalogue), so
    /// creation is serialized across processes with an advisory lock named after the schema.
    /// </summary>
    private async Task CreateSchemaObjectsAsync(CancellationToken cancellationToken)
    {
        if (!_createSchema)
        {
            return;
        }

        // The lock is the transaction's: it goes with the transaction whatever happens, and leaves nothing on the
        // pooled connection's session (the log keeps sessions between uses, LogConnectionString).
        await using var connection = _store.Storage.Database.CreateConnection();
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var key = $"nodenomad-schema:{_store.Options.DatabaseSchemaName}";
        await using (var take = new Npgsql.NpgsqlCommand("select pg_advisory_xact_lock(hashtext(@key))", connection, transaction))
        {
            take.Parameters.AddWithValue("key", key);
            await take.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await _store.Storage.ApplyAllConfiguredChangesToDatabaseAsync().ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
