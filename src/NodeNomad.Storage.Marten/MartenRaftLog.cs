using System.Diagnostics;
using System.Text.RegularExpressions;
using JasperFx;
using JasperFx.Events;
using Marten;
using Marten.Services;
using Npgsql;
using NodeNomad.Raft;

namespace NodeNomad.Storage.Marten;

/// <summary>
/// The log of a node whose host keeps no state: every group's entries, hard states and snapshot markers are events
/// in the node's own Marten event stream on PostgreSQL, and its snapshots are documents with their bytes in a bytea
/// table (<see cref="SnapshotChunks"/>), streamed in and out a row at a time. A node restarted on a new host rebuilds
/// every group from there, with nothing but its identity and a connection string.
/// </summary>
/// <remarks>
/// <para>Group commit: each <see cref="SaveAsync"/> is one event holding every group's writes, stored in one
/// transaction: a plain append as one prepared statement (see <c>MartenRaftLog.Append.cs</c>), one that installs
/// snapshots with one <c>SaveChangesAsync</c>, together with the snapshot documents it installs; a batch that installs
/// a snapshot first copies its bytes into the chunk table inside that same transaction, or renames the rows
/// <see cref="StageSnapshot"/> copied ahead, so that a large snapshot is not copied on the node's loop.</para>
/// <para>Fencing: every append states the stream version this instance last saw. Another process that claims the
/// same node identity and writes first makes that version stale; this instance then throws
/// <see cref="LogFencedException"/> and refuses every further write, instead of interleaving two logs.</para>
/// <para>Compaction: the stream has generations, <c>node:{id}:g{n}</c>. <see cref="CompactAsync"/> starts the next
/// generation with one event holding every group's hard state, snapshot point and the entries after the snapshot,
/// seals the old stream with an event appended at its expected version (so a stale writer still on it is fenced),
/// points the node's <see cref="NodeLogHead"/> at the new generation and deletes the old generation's events, all in
/// one transaction. Recovery then reads one document, the snapshots and the events of one generation. A snapshot
/// installed by <see cref="SaveAsync"/> empties its group at once, but the events it supersedes stay until the next
/// compaction.</para>
/// <para>Dropping groups: a batch that drops a group the log holds starts the next generation the same way, with
/// every group as the batch leaves them and the dropped ones left out, and deletes their snapshot documents, in the
/// batch's one transaction. The space they took is freed at once; recovery never sees them again.</para>
/// <para>Like every <see cref="IRaftLog"/> it is not thread-safe.</para>
/// </remarks>
public sealed partial class MartenRaftLog : IRaftLog
{
    private readonly IDocumentStore _store;
    private readonly bool _ownsStore;
    private readonly string _nodeId;

    /// <summary>Whether recovery creates the schema's objects first (a store of its own, with auto-creation on).</summary>
    private readonly bool _createSchema;
    private readonly Dictionary<ulong, GroupLogPosition> _positions = [];
    private readonly Dictionary<ulong, long> _snapshotBytes = [];

    // Where recovery puts the snapshots it reads back, and whether this instance made the folder (and deletes it).
    private readonly string _snapshotDirectory;
    private readonly bool _ownsSnapshotDirectory;

    // The file recovery wrote for each group's snapshot, deleted once the group has a newer snapshot or is dropped.
    private readonly Dictionary<ulong, string> _recoveredFiles = [];

    // Every group's log as the current generation's events hold it, kept in step with each committed save, so that a
    // compaction or a drop builds the next generation's checkpoint without reading the stream back.
    private StreamReplay? _live;

    private LogState _state = LogState.New;
    private long _generation;
    private long _version;
    private long _eventBytes;
    private long _batches;
    private double _lastSyncMilliseconds;

    /// <summary>Creates the log of <paramref name="nodeId"/> in a store the caller owns (and disposes).</summary>
    /// <param name="store">A store configured by <see cref="ConfigureStore"/>.</param>
    /// <param name="nodeId">The node identity.</param>
    /// <param name="snapshotDirectory">See <see cref="MartenRaftLogOptions.SnapshotDirectory"/>.</param>
    public MartenRaftLog(IDocumentStore store, string nodeId, string? snapshotDirectory = null)
        : this(store, nodeId, ownsStore: false, snapshotDirectory)
    {
    }

    /// <summary>Creates the log described by <paramref name="options"/>, with a document store of its own.</summary>
    public MartenRaftLog(MartenRaftLogOptions options)
        : this(CreateStore(options), options.NodeId, ownsStore: true, options.SnapshotDirectory) => _createSchema = options.AutoCreateSchema;

    private MartenRaftLog(IDocumentStore store, string nodeId, bool ownsStore, string? snapshotDirectory)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        _store = store;
        _nodeId = nodeId;
        _ownsStore = ownsStore;
        _ownsSnapshotDirectory = snapshotDirectory is null;
        _snapshotDirectory = Path.GetFullPath(snapshotDirectory
            ?? Path.Combine(Path.GetTempPath(), "nodenomad-marten-snapshots", Guid.NewGuid().ToString("N")));
    }

    private enum LogState
    {
        New,
        Open,

        // A save failed: whether its transaction committed is unknown until the log is recovered again.
        Failed,

        // Another process wrote to the node's stream: it owns the node identity now.
        Fenced,
        Disposed,
    }

    /// <inheritdoc />
    /// <remarks>
    /// Bytes are the payload of the current generation's events and of the snapshots, as this instance wrote or read
    /// them; PostgreSQL's own overhead is not counted. Segments are the stream generations kept: always one.
    /// </remarks>
    public LogStatistics Statistics => new(_eventBytes + _snapshotBytes.Values.Sum(), 1, _batches, _lastSyncMilliseconds);

    private string StreamKey => StreamKeyOf(_generation);

    private string Schema => _store.Options.DatabaseSchemaName;

    /// <summary>Creates a document store for the log's documents and events, configured by <paramref name="options"/>.</summary>
    public static DocumentStore CreateStore(MartenRaftLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ConnectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.SchemaName);
        return DocumentStore.For(store => ConfigureStore(store, options));
    }

    /// <summary>
    /// Creates or migrates the log's tables in the configured schema: the production step when
    /// <see cref="MartenRaftLogOptions.AutoCreateSchema"/> is off.
    /// </summary>
    public static async Task ApplySchemaAsync(MartenRaftLogOptions options)
    {
        using DocumentStore store = CreateStore(options with { AutoCreateSchema = true });
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync().ConfigureAwait(false);
        await using NpgsqlConnection connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync().ConfigureAwait(false);
        await SnapshotChunks.CreateTableAsync(connection, options.SchemaName, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Configures Marten for the log: connection, schema, string stream keys, and the stored types.</summary>
    public static void ConfigureStore(StoreOptions store, MartenRaftLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        // The schema name is also written into the SQL that deletes a superseded generation, so only plain names pass.
        if (!SchemaNamePattern().IsMatch(options.SchemaName))
        {
            throw new ArgumentException($"The schema name '{options.SchemaName}' must be a lowercase letter or '_', then up to 62 lowercase letters, digits or '_'.", nameof(options));
        }

        store.Connection(LogConnectionString.Tune(options.ConnectionString));
        store.DatabaseSchemaName = options.SchemaName;
        store.AutoCreateSchemaObjects = options.AutoCreateSchema ? AutoCreate.CreateOrUpdate : AutoCreate.None;
        store.Events.StreamIdentity = StreamIdentity.AsString;
        store.Events.AddEventType<LogBatchAppended>();
        store.Events.AddEventType<LogGenerationStarted>();
        store.Events.AddEventType<LogGenerationSealed>();
        store.Schema.For<GroupSnapshotDocument>().Index(d => d.NodeId);
        store.Schema.For<NodeLogHead>();
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A group appears twice, or a group's write does not continue its log.</exception>
    /// <exception cref="LogFencedException">Another process wrote to this node's log since this instance read it.</exception>
    /// <exception cref="InvalidOperationException">The log was not recovered, or an earlier write failed.</exception>
    public async Task SaveAsync(LogBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        EnsureWritable();
        cancellationToken.ThrowIfCancellationRequested();

        Dictionary<ulong, GroupLogPosition> positions = GroupLogPosition.AfterBatch(batch, _positions);

        // Only a group the log holds is dropped: dropping any other changes nothing.
        List<ulong> dropped = [.. batch.Dropped.Distinct().Where(_positions.ContainsKey)];
        List<GroupWrite> writes = [.. batch.Groups.Where(w => w.HardState is not null || w.Snapshot is not null || w.Entries.Count > 0)];
        if (dropped.Count == 0 && writes.Count == 0)
        {
            return;
        }

        List<GroupRecord> groups = [.. writes.Select(w => new GroupRecord
        {
            GroupId = w.GroupId,
            HardState = w.HardState is { } h ? new HardStateRecord { Term = h.Term, Vote = h.Vote, Commit = h.Commit } : null,
            Snapshot = w.Snapshot is { Metadata: var m } ? new SnapshotPointRecord { Index = m.Index, Term = m.Term } : null,
            Entries = [.. w.Entries.Select(ToRecord)],
        })];

        if (AppendsDirectly(dropped, writes))
        {
            await AppendDirectAsync(new LogBatchAppended { Groups = groups }, cancellationToken).ConfigureAwait(false);
            Appended(groups);
            Saved(writes, positions);
            return;
        }

        SnapshotWrite write;
        try
        {
            write = await BeginAsync([.. writes.Where(w => w.Snapshot is not null).Select(w => (w.GroupId, w.Snapshot!))], cancellationToken)
                .ConfigureAwait(false);
        }
        catch
        {
            // Like any failed save: nothing committed, but the instance goes by the rule that it then knows nothing.
            _state = LogState.Failed;
            throw;
        }

        await using SnapshotWrite disposing = write;
        IDocumentSession session = write.Session;
        List<GroupSnapshotDocument> installed = write.Documents;

        if (dropped.Count == 0)
        {
            Append(session, new LogBatchAppended { Groups = groups });
            await CommitAsync(session, cancellationToken).ConfigureAwait(false);
            Appended(groups);
        }
        else
        {
            (LogGenerationStarted started, StreamReplay next) = await SaveDroppingAsync(session, dropped, groups, cancellationToken).ConfigureAwait(false);
            EnterGeneration(started, next);
            foreach (ulong groupId in dropped)
            {
                _ = _positions.Remove(groupId);
                _ = _snapshotBytes.Remove(groupId);
                ForgetRecoveredFile(groupId);
            }
        }

        Saved(writes, positions);
        foreach (GroupSnapshotDocument document in installed)
        {
            _snapshotBytes[document.GroupId] = document.Length;
            ForgetRecoveredFile(document.GroupId);
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The snapshot is not newer than the group's, or lies beyond its last index.</exception>
    /// <exception cref="LogFencedException">Another process wrote to this node's log since this instance read it.</exception>
    /// <exception cref="InvalidOperationException">The log was not recovered, or an earlier write failed.</exception>
    public async Task CompactAsync(ulong groupId, Snapshot snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        EnsureWritable();
        cancellationToken.ThrowIfCancellationRequested();

        GroupLogPosition position = _positions.GetValueOrDefault(groupId).AfterCompaction(groupId, snapshot.Metadata);
        try
        {
            await using SnapshotWrite write = await BeginAsync([(groupId, snapshot)], cancellationToken).ConfigureAwait(false);
            IDocumentSession session = write.Session;

            // The next generation is built from the log kept in memory, changed only once the transaction commits; the
            // seal's expected version fences a stale writer as reading the stream back would.
            StreamReplay replay = NextGeneration();
            replay.Compact(groupId, snapshot.Metadata);
            LogGenerationStarted started = QueueNextGeneration(session, replay);
            await CommitAsync(session, cancellationToken).ConfigureAwait(false);

            EnterGeneration(started, replay);
            _positions[groupId] = position;
            _snapshotBytes[groupId] = write.Documents[0].Length;
            ForgetRecoveredFile(groupId);
        }
        catch (Exception e) when (e is not LogFencedException)
        {
            _state = e is LogCorruptedException ? LogState.Failed : await StateAfterFailedCompactionAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_state == LogState.Disposed)
        {
            return;
        }

        _state = LogState.Disposed;
        await CloseAppendConnectionAsync().ConfigureAwait(false);
        if (_ownsSnapshotDirectory)
        {
            DeleteSnapshotDirectory();
        }

        if (_ownsStore)
        {
            await DisposeStoreAsync().ConfigureAwait(false);
        }
    }

    internal static EntryRecord ToRecord(Entry entry) =>
        new() { Index = entry.Index, Term = entry.Term, Type = entry.Type, Data = entry.Data.ToArray() };

    private static string SnapshotIdOf(string nodeId, ulong groupId) => $"{nodeId}/{groupId}";

    private static long SizeOf(List<GroupRecord> groups) => groups.Sum(g => 32L + g.Entries.Sum(e => 24L + e.Data.Length));

    private string StreamKeyOf(long generation) => $"node:{_nodeId}:g{generation}";

    private ValueTask DisposeStoreAsync()
    {
        _store.Dispose();
        return ValueTask.CompletedTask;
    }

    private GroupSnapshotDocument ToDocument(ulong groupId, Snapshot snapshot, StoredChunks stored) => new()
    {
        Id = SnapshotIdOf(_nodeId, groupId),
        NodeId = _nodeId,
        GroupId = groupId,
        Index = snapshot.Metadata.Index,
        Term = snapshot.Metadata.Term,
        Voters = [.. snapshot.Metadata.ConfState.Voters],
        Learners = [.. snapshot.Metadata.ConfState.Learners],
        VotersOutgoing = [.. snapshot.Metadata.ConfState.VotersOutgoing],
        Chunks = stored.Chunks,
        Length = stored.Length,
        Sha256 = stored.Sha256,
    };

    /// <summary>
    /// A session for a save or compaction that stores <paramref name="snapshots"/>: without snapshots, an ordinary
    /// session; with them, a session in a transaction this instance opened, into which each snapshot's bytes were
    /// copied already (the session's <c>SaveChangesAsync</c> commits them with everything else, or none of it).
    /// </summary>
    private async Task<SnapshotWrite> BeginAsync(List<(ulong GroupId, Snapshot Snapshot)> snapshots, CancellationToken cancellationToken)
    {
        if (snapshots.Count == 0)
        {
            return new SnapshotWrite(_store.LightweightSession(), [], null, null);
        }

        NpgsqlConnection connection = _store.Storage.Database.CreateConnection();
        NpgsqlTransaction? transaction = null;
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            List<GroupSnapshotDocument> documents = [];
            foreach ((ulong groupId, Snapshot snapshot) in snapshots)
            {
                StoredChunks stored = await StoreChunksAsync(transaction, groupId, snapshot, cancellationToken).ConfigureAwait(false);
                documents.Add(ToDocument(groupId, snapshot, stored));
            }

            IDocumentSession session = _store.LightweightSession(SessionOptions.ForTransaction(transaction, shouldAutoCommit: true));
            foreach (GroupSnapshotDocument document in documents)
            {
                session.Store(document);
            }

            return new SnapshotWrite(session, documents, transaction, connection);
        }
        catch
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
            }

            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void ForgetRecoveredFile(ulong groupId)
    {
        if (_recoveredFiles.Remove(groupId, out string? path))
        {
            // A reader still sending it keeps its handle; a new reader gets the newer snapshot from the group.
            File.Delete(path);
        }
    }

    private void DeleteSnapshotDirectory()
    {
        try
        {
            if (Directory.Exists(_snapshotDirectory))
            {
                Directory.Delete(_snapshotDirectory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Only temporary files: a folder that cannot be deleted now costs disk, not correctness.
        }
    }

    private void EnsureWritable()
    {
        ObjectDisposedException.ThrowIf(_state == LogState.Disposed, this);
        switch (_state)
        {
            case LogState.New:
                throw new InvalidOperationException("The log must be recovered (RecoverAsync) before it is written.");
            case LogState.Failed:
                throw new InvalidOperationException("An earlier write to the log failed, so what PostgreSQL holds is unknown; dispose the log and recover it again.");
            case LogState.Fenced:
                throw Fenced(null);
        }
    }

    /// <summary>
    /// Queues a batch that drops groups: the next generation starts with every group the log holds after the batch,
    /// which leaves the dropped ones out, so their events go with the current generation's; their snapshot documents
    /// are deleted, unless the batch installs a new one (queued already), which replaces it.
    /// </summary>
    private async Task<(LogGenerationStarted Started, StreamReplay Next)> SaveDroppingAsync(
        IDocumentSession session, List<ulong> dropped, List<GroupRecord> groups, CancellationToken cancellationToken)
    {
        try
        {
            StreamReplay replay = NextGeneration();
            foreach (ulong groupId in dropped)
            {
                replay.Drop(groupId);
                if (!groups.Any(g => g.GroupId == groupId && g.Snapshot is not null))
                {
                    session.Delete<GroupSnapshotDocument>(SnapshotIdOf(_nodeId, groupId));
                    SnapshotChunks.QueueDelete(session, Schema, SnapshotIdOf(_nodeId, groupId));
                }
            }

            foreach (GroupRecord group in groups)
            {
                replay.Apply(group, _version + 1);
            }

            LogGenerationStarted started = QueueNextGeneration(session, replay);
            await CommitAsync(session, cancellationToken).ConfigureAwait(false);
            return (started, replay);
        }
        catch (Exception e) when (e is not LogFencedException)
        {
            // Like any failed save: until recovery, this instance does not know what PostgreSQL holds.
            _state = LogState.Failed;
            throw;
        }
    }

    /// <summary>
    /// Queues the start of the next stream generation with every group of <paramref name="replay"/>, the seal of the
    /// current one at its expected version (so a stale writer still on it is fenced), the head's move to the new one,
    /// and the deletion of the current generation's events.
    /// </summary>
    private LogGenerationStarted QueueNextGeneration(IDocumentSession session, StreamReplay replay)
    {
        long next = _generation + 1;
        var started = new LogGenerationStarted { Generation = next, Groups = replay.Checkpoint() };
        _ = session.Events.StartStream(StreamKeyOf(next), started);
        _ = session.Events.Append(StreamKey, _version + 1, new LogGenerationSealed { NextGeneration = next });
        session.Store(new NodeLogHead { Id = _nodeId, Generation = next });

        // The old generation's events are never read again; its stream row stays, at the sealed version.
        session.QueueSqlCommand($"delete from {_store.Options.Events.DatabaseSchemaName}.mt_events where stream_id = ?", StreamKey);
        return started;
    }

    /// <summary>
    /// A copy of the log kept in memory (recovery made it), for the next generation to start from: changed freely,
    /// and taken as the log only once the transaction that starts that generation commits.
    /// </summary>
    private StreamReplay NextGeneration() =>
        (_live ?? throw new InvalidOperationException("The log must be recovered (RecoverAsync) before it is written.")).Clone(StreamKeyOf(_generation + 1));

    /// <summary>Notes an appended event holding <paramref name="groups"/>, committed: the stream's version, the log kept in memory, the size.</summary>
    private void Appended(List<GroupRecord> groups)
    {
        _version++;
        foreach (GroupRecord group in groups)
        {
            _live!.Apply(group, _version);
        }

        _eventBytes += SizeOf(groups);
    }

    /// <summary>Notes a committed save: one batch more, and every group it wrote at its new position.</summary>
    private void Saved(List<GroupWrite> writes, Dictionary<ulong, GroupLogPosition> positions)
    {
        _batches++;
        foreach (GroupWrite groupWrite in writes)
        {
            _positions[groupWrite.GroupId] = positions[groupWrite.GroupId];
        }
    }

    /// <summary>Moves this instance onto the generation <paramref name="started"/> began, once its transaction committed.</summary>
    private void EnterGeneration(LogGenerationStarted started, StreamReplay live)
    {
        _live = live;
        _generation = started.Generation;
        _version = 1;
        _eventBytes = SizeOf(started.Groups);
    }

    /// <summary>
    /// Whether the log may go on after a compaction failed. The compaction is one transaction, so PostgreSQL holds
    /// all of it or none of it, and the node's head says which: when the head still names this generation nothing
    /// changed, the log holds every entry, and a failed snapshot must not stop the node. Otherwise (the transaction
    /// committed after all, or the head cannot be read) what this instance knows is stale until recovery.
    /// </summary>
    private async Task<LogState> StateAfterFailedCompactionAsync()
    {
        try
        {
            await using IQuerySession session = _store.QuerySession();
            NodeLogHead? head = await session.LoadAsync<NodeLogHead>(_nodeId, CancellationToken.None).ConfigureAwait(false);
            return (head?.Generation ?? 0) == _generation ? LogState.Open : LogState.Failed;
        }
#pragma warning disable CA1031 // The compaction's own error is the one to report; this one only means the outcome is unknown.
        catch (Exception)
#pragma warning restore CA1031
        {
            return LogState.Failed;
        }
    }

    /// <summary>Queues <paramref name="appended"/> at the version after the one this instance last saw.</summary>
    private void Append(IDocumentSession session, LogBatchAppended appended)
    {
        // A stream that did not exist when this instance read it is started: if another process started it since,
        // the start collides, just as a stale expected version fails.
        if (_version == 0)
        {
            _ = session.Events.StartStream(StreamKey, appended);
        }
        else
        {
            _ = session.Events.Append(StreamKey, _version + 1, appended);
        }
    }

    /// <summary>Commits the session; a concurrency failure means another process owns the node identity.</summary>
    private async Task CommitAsync(IDocumentSession session, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            await session.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsConcurrencyFailure(e))
        {
            _state = LogState.Fenced;
            throw Fenced(e);
        }
        catch
        {
            _state = LogState.Failed;
            throw;
        }

        _lastSyncMilliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaNamePattern();

    private static bool IsConcurrencyFailure(Exception e) => e switch
    {
        ConcurrencyException or EventStreamUnexpectedMaxEventIdException => true,
        JasperFx.Events.ExistingStreamIdCollisionException or global::Marten.Exceptions.ExistingStreamIdCollisionException => true,
        AggregateException { InnerExceptions: var inner } => inner.Any(IsConcurrencyFailure),
        _ => e.InnerException is { } inner && IsConcurrencyFailure(inner),
    };

    private LogFencedException Fenced(Exception? cause)
    {
        string message = $"Another process owns node identity '{_nodeId}': it wrote to the node's log (stream '{StreamKey}') after this "
            + "process read it. This process must stop; it refuses further writes so the two cannot corrupt the log.";
        return cause is null ? new LogFencedException(message) : new LogFencedException(message, cause);
    }
}
