using NodeNomad.Core.Cluster;
using NodeNomad.Core.KeyValue;
using NodeNomad.Raft;
using NodeNomad.Storage;

namespace NodeNomad.Node.Runtime;

/// <summary>
/// This node's replica of one shard: a member of the shard's Raft group whose state machine is the key-value
/// store for the shard's hash range. A write is answered only once it is committed by a majority of the shard's
/// replicas and applied; a linearizable read only after a ReadIndex round confirmed the leader and this replica
/// caught up to that index. Callers read the applied state through <see cref="Read{T}"/>, under a lock the
/// core's turn takes only while it applies.
/// </summary>
public sealed class ShardReplica : GroupReplica, IDisposable
{
    private readonly ReaderWriterLockSlim _stateGate = new(LockRecursionPolicy.NoRecursion);
    private KvStateMachine _machine = new();

    internal ShardReplica(ReplicaContext context, int shardId, long incarnation, string selfId, TimeProvider telemetryClock)
        : base(context, ShardRecord.GroupOf(shardId), ReplicaIds.For(selfId, incarnation), ReplicaIds.LogKey(ShardRecord.GroupOf(shardId), incarnation))
    {
        ShardId = shardId;
        Incarnation = incarnation;
        Reads = new Telemetry.RateWindow(telemetryClock);
        Writes = new Telemetry.RateWindow(telemetryClock);
    }

    /// <summary>Reads this replica served, per second.</summary>
    public Telemetry.RateWindow Reads { get; }

    /// <summary>Writes this replica committed as leader, per second.</summary>
    public Telemetry.RateWindow Writes { get; }

    /// <summary>Which membership of this node in the shard's group this is (0: a founder; else the migration's meta index).</summary>
    public long Incarnation { get; }

    /// <summary>The shard's id.</summary>
    public int ShardId { get; }

    /// <summary>Runs <paramref name="read"/> against the applied state as it is now.</summary>
    public T Read<T>(Func<KvStateMachine, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        _stateGate.EnterReadLock();
        try
        {
            return read(_machine);
        }
        finally
        {
            _stateGate.ExitReadLock();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _stateGate.Dispose();

    /// <inheritdoc />
    protected override void BeginApply() => _stateGate.EnterWriteLock();

    /// <inheritdoc />
    protected override void EndApply() => _stateGate.ExitWriteLock();

    /// <inheritdoc />
    protected override object? ApplyCommand(Entry entry)
    {
        KvCommand command;
        try
        {
            command = KvCommandCodec.Decode(entry.Data.Span);
        }
        catch (FormatException e)
        {
            throw new LogCorruptedException($"Entry {entry.Index} of shard {ShardId} (group {GroupId}) passed its checksum but is not a key-value command.", e);
        }

        Context.CommandClock.Observe(command.Timestamp);
        return _machine.Apply((long)entry.Index, command);
    }

    /// <inheritdoc />
    protected override Action<Stream> CaptureState() => _machine.Freeze().WriteTo;

    /// <inheritdoc />
    protected override void RestoreState(Snapshot snapshot)
    {
        KvStateMachine machine;
        try
        {
            if (snapshot.Data.Prepared is KvStateMachine prepared && prepared.AppliedIndex == (long)snapshot.Metadata.Index)
            {
                // Decoded off the loop when it arrived; taken once (it is live from now on).
                snapshot.Data.Prepared = null;
                machine = prepared;
            }
            else
            {
                using var data = snapshot.Data.OpenRead();
                machine = KvStateMachine.Restore(data);
            }
        }
        catch (FormatException e)
        {
            throw new LogCorruptedException($"The snapshot at index {snapshot.Metadata.Index} of shard {ShardId} passed its checksum but does not restore; refusing to start.", e);
        }

        _stateGate.EnterWriteLock();
        try
        {
            _machine = machine;
        }
        finally
        {
            _stateGate.ExitWriteLock();
        }
    }
}
