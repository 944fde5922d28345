using System.Diagnostics.Metrics;

namespace NodeNomad.Node.Telemetry;

/// <summary>
/// The node's instruments, all on one meter (exported at <c>/metrics</c>), plus the recent rates the
/// cluster API reports.
/// </summary>
public sealed class NodeMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "NodeNomad.Node";

    /// <summary>
    /// Bucket bounds of the millisecond histograms: fine below 10 ms, where a healthy operation, save or loop pass
    /// falls and the tail a p99 target speaks of is told apart, then coarse up to ten seconds.
    /// </summary>
    internal static readonly double[] MillisecondBuckets = [0.25, 0.5, 1, 2, 3, 4, 5, 7.5, 10, 15, 25, 50, 75, 100, 250, 500, 1000, 2500, 5000, 10000];

    private static readonly InstrumentAdvice<double> Milliseconds = new() { HistogramBucketBoundaries = MillisecondBuckets };

    private readonly Meter _meter;
    private readonly Counter<long> _operations;
    private readonly Histogram<double> _operationDuration;
    private readonly Histogram<double> _syncDuration;
    private readonly Histogram<long> _batchSize;
    private readonly Histogram<double> _loopPass;
    private readonly Histogram<long> _forwardBatch;
    private readonly Counter<long> _snapshots;
    private readonly Histogram<double> _snapshotStore;
    private readonly Counter<long> _roleChanges;
    private long _reads;
    private long _writes;
    private long _batches;
    private long _batchedEntries;
    private long _snapshotCount;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public NodeMetrics(IMeterFactory meterFactory, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _operations = _meter.CreateCounter<long>("nodenomad.kv.operations", "{operation}", "Key-value operations by kind and outcome.");
        _operationDuration = _meter.CreateHistogram<double>("nodenomad.kv.operation.duration", "ms", "Time to serve a key-value operation.", tags: null, advice: Milliseconds);
        _syncDuration = _meter.CreateHistogram<double>("nodenomad.log.sync.duration", "ms", "Time to make one batch of log entries durable (write and fsync).", tags: null, advice: Milliseconds);
        _batchSize = _meter.CreateHistogram<long>("nodenomad.log.batch.size", "{entry}", "Log entries made durable by one fsync (group commit).");
        _snapshots = _meter.CreateCounter<long>("nodenomad.snapshots", "{snapshot}", "Snapshots taken.");
        _snapshotStore = _meter.CreateHistogram<double>("nodenomad.snapshot.store.duration", "ms",
            "Time the node's loop spends storing a snapshot it took in the log (the log compaction); no save runs meanwhile.", tags: null, advice: Milliseconds);
        _loopPass = _meter.CreateHistogram<double>("nodenomad.loop.pass.duration", "ms",
            "Time the node's loop spends on one pass: taking the inputs that waited, then every turn they cause, saves included. Requests wait for it.", tags: null, advice: Milliseconds);
        _roleChanges = _meter.CreateCounter<long>("nodenomad.raft.role.changes", "{change}",
            "Times a replica of this node took a new Raft role, by the role taken (leader counts the elections this node won).");
        _forwardBatch = _meter.CreateHistogram<long>("nodenomad.forward.batch.size", "{request}",
            "Forwarded key requests that came to this node in one batch from another node.");
        Reads = new RateWindow(clock);
        Writes = new RateWindow(clock);
    }

    /// <summary>Recent reads.</summary>
    public RateWindow Reads { get; }

    /// <summary>Recent writes.</summary>
    public RateWindow Writes { get; }

    /// <summary>Recent write latencies.</summary>
    public LatencyWindow WriteLatency { get; } = new();

    /// <summary>Reads served since start.</summary>
    public long TotalReads => Interlocked.Read(ref _reads);

    /// <summary>Writes committed since start.</summary>
    public long TotalWrites => Interlocked.Read(ref _writes);

    /// <summary>Durable batches since start.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Snapshots taken since start.</summary>
    public long Snapshots => Interlocked.Read(ref _snapshotCount);

    /// <summary>Average entries per durable batch since start.</summary>
    public double AverageBatchSize
    {
        get
        {
            var batches = Batches;
            return batches == 0 ? 0 : (double)Interlocked.Read(ref _batchedEntries) / batches;
        }
    }

    /// <summary>Registers gauges read from the node's state when scraped.</summary>
    public void ObserveState(Func<long> keys, Func<long> bytes, Func<long> logBytes)
    {
        _meter.CreateObservableGauge("nodenomad.kv.keys", keys, "{key}", "Keys held, expired but unpurged included.");
        _meter.CreateObservableGauge("nodenomad.kv.bytes", bytes, "By", "Bytes of keys and values held.");
        _meter.CreateObservableGauge("nodenomad.log.bytes", logBytes, "By", "Bytes of log segments and snapshots on disk.");
    }

    /// <summary>Records a served read.</summary>
    public void Read(string operation, string outcome, double milliseconds)
    {
        Interlocked.Increment(ref _reads);
        Reads.Add();
        Record(operation, outcome, milliseconds);
    }

    /// <summary>Records a write that went through the log.</summary>
    public void Write(string operation, string outcome, double milliseconds)
    {
        Interlocked.Increment(ref _writes);
        Writes.Add();
        WriteLatency.Add(milliseconds);
        Record(operation, outcome, milliseconds);
    }

    /// <summary>Records a request refused before reaching the log.</summary>
    public void Rejected(string operation, string outcome) =>
        _operations.Add(1, new("operation", operation), new("outcome", outcome));

    /// <summary>Records one durable batch.</summary>
    public void Synced(int entries, double milliseconds)
    {
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _batchedEntries, entries);
        _batchSize.Record(entries);
        _syncDuration.Record(milliseconds);
    }

    /// <summary>Records one pass of the node's loop.</summary>
    public void LoopPass(double milliseconds) => _loopPass.Record(milliseconds);

    /// <summary>Records a replica of this node taking the Raft role <paramref name="role"/>.</summary>
    public void RoleChanged(string role) => _roleChanges.Add(1, new KeyValuePair<string, object?>("role", role));

    /// <summary>Records a batch of <paramref name="requests"/> forwarded requests served here.</summary>
    public void ForwardBatch(int requests) => _forwardBatch.Record(requests);

    /// <summary>Records a snapshot, stored in the log in <paramref name="storeMilliseconds"/>.</summary>
    public void SnapshotTaken(double storeMilliseconds)
    {
        Interlocked.Increment(ref _snapshotCount);
        _snapshots.Add(1);
        _snapshotStore.Record(storeMilliseconds);
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private void Record(string operation, string outcome, double milliseconds)
    {
        _operations.Add(1, new("operation", operation), new("outcome", outcome));
        _operationDuration.Record(milliseconds, new KeyValuePair<string, object?>("operation", operation));
    }
}
