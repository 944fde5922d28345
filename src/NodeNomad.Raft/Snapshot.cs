namespace NodeNomad.Raft;

/// <summary>Where a snapshot stands in the log: it replaces every entry up to and including <paramref name="Index"/>.</summary>
/// <param name="Index">The last log index the snapshot covers.</param>
/// <param name="Term">The term of the entry at <paramref name="Index"/>.</param>
/// <param name="ConfState">The group's membership as of <paramref name="Index"/>.</param>
public sealed record SnapshotMetadata(ulong Index, ulong Term, ConfState ConfState);

/// <summary>A group's state machine serialized as of <see cref="SnapshotMetadata.Index"/>.</summary>
/// <param name="Metadata">Where the snapshot stands in the log.</param>
/// <param name="Data">The serialized state machine, in memory or in a file; its format belongs to the state machine.</param>
public sealed record Snapshot(SnapshotMetadata Metadata, SnapshotData Data);
