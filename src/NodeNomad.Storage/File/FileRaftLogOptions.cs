namespace NodeNomad.Storage;

/// <summary>Settings of a <see cref="FileRaftLog"/>.</summary>
public sealed record FileRaftLogOptions
{
    /// <summary>The default segment size: 64 MiB.</summary>
    public const long DefaultSegmentBytes = 64L * 1024 * 1024;

    /// <summary>
    /// Size at which the log starts a new segment file. A segment may exceed it by one record, because a
    /// batch is never split. Whole segments are what compaction deletes, so smaller segments free space sooner.
    /// </summary>
    public long SegmentBytes { get; init; } = DefaultSegmentBytes;

    /// <summary>
    /// Whether writes are fsynced. Only turn this off to measure what fsync costs: without it an
    /// acknowledged batch can be lost in a power failure.
    /// </summary>
    public bool SyncEnabled { get; init; } = true;
}
