using System.Diagnostics;
using NodeNomad.Raft;

namespace NodeNomad.Storage;

/// <summary>
/// The payloads of log records, little-endian. A batch: type, group count, then per group its id, flags, hard
/// state (term, vote, commit) when flagged, installed snapshot (index, term) when flagged, entry count and
/// entries (index, term, type, data length, data). A batch that drops groups has a type of its own, and the count
/// and ids of the dropped groups before its group count; a batch that drops none keeps the first layout, so logs
/// written before drops existed read as they did. A compaction: type, group id, snapshot index and term.
/// A checkpoint: type, group count, then per group its id, flags, hard state and snapshot when flagged.
/// </summary>
internal static class WalRecordCodec
{
    private const byte BatchType = 1;
    private const byte CompactionType = 2;
    private const byte CheckpointType = 3;
    private const byte DroppingBatchType = 4;

    private const byte HasHardState = 1;
    private const byte HasInstalledSnapshot = 2;
    private const byte HasSnapshot = 2;

    private const int EntryHeaderSize = sizeof(ulong) + sizeof(ulong) + sizeof(byte) + sizeof(uint);

    /// <summary>Bytes the framed record takes in a segment.</summary>
    /// <exception cref="ArgumentException">The record is too large to frame.</exception>
    public static int FramedSize(WalRecord record)
    {
        long size = RecordFrame.HeaderSize + PayloadSize(record);
        return size <= Array.MaxLength
            ? (int)size
            : throw new ArgumentException($"A log record of {size} bytes is too large; save the batch in parts.", nameof(record));
    }

    /// <summary>Writes the framed record into <paramref name="destination"/>, which is exactly <see cref="FramedSize"/> long.</summary>
    public static void WriteFramed(WalRecord record, Span<byte> destination)
    {
        var writer = new PayloadWriter(destination[RecordFrame.HeaderSize..]);
        switch (record)
        {
            case BatchRecord batch:
                writer.WriteByte(batch.Dropped.Count == 0 ? BatchType : DroppingBatchType);
                if (batch.Dropped.Count > 0)
                {
                    writer.WriteUInt32((uint)batch.Dropped.Count);
                    foreach (ulong groupId in batch.Dropped)
                    {
                        writer.WriteUInt64(groupId);
                    }
                }

                writer.WriteUInt32((uint)batch.Groups.Count);
                foreach (GroupRecord group in batch.Groups)
                {
                    WriteGroup(ref writer, group);
                }

                break;
            case CompactionRecord compaction:
                writer.WriteByte(CompactionType);
                writer.WriteUInt64(compaction.GroupId);
                writer.WriteUInt64(compaction.Snapshot.Index);
                writer.WriteUInt64(compaction.Snapshot.Term);
                break;
            case CheckpointRecord checkpoint:
                writer.WriteByte(CheckpointType);
                writer.WriteUInt32((uint)checkpoint.Groups.Count);
                foreach (GroupCheckpoint group in checkpoint.Groups)
                {
                    WriteCheckpoint(ref writer, group);
                }

                break;
            default:
                throw new UnreachableException($"Unknown record {record.GetType().Name}.");
        }

        Debug.Assert(writer.Position == destination.Length - RecordFrame.HeaderSize, "FramedSize and WriteFramed disagree.");
        RecordFrame.Seal(destination);
    }

    /// <summary>Reads a payload whose checksum held.</summary>
    /// <exception cref="InvalidDataException">The payload is not a record this code writes.</exception>
    public static WalRecord Decode(ReadOnlySpan<byte> payload)
    {
        var reader = new PayloadReader(payload);
        WalRecord record = reader.ReadByte() switch
        {
            BatchType => ReadBatch(ref reader),
            DroppingBatchType => ReadDroppingBatch(ref reader),
            CompactionType => new CompactionRecord(reader.ReadUInt64(), new SnapshotPoint(reader.ReadUInt64(), reader.ReadUInt64())),
            CheckpointType => ReadCheckpoint(ref reader),
            var type => throw new InvalidDataException($"Unknown record type {type}."),
        };
        reader.EnsureAtEnd();
        return record;
    }

    private static long PayloadSize(WalRecord record) => record switch
    {
        BatchRecord batch => sizeof(byte)
            + (batch.Dropped.Count == 0 ? 0 : sizeof(uint) + (long)batch.Dropped.Count * sizeof(ulong))
            + sizeof(uint) + batch.Groups.Sum(GroupSize),
        CompactionRecord => sizeof(byte) + 3 * sizeof(ulong),
        CheckpointRecord checkpoint => sizeof(byte) + sizeof(uint) + checkpoint.Groups.Sum(g =>
            sizeof(ulong) + sizeof(byte) + (g.HardState is null ? 0 : 3 * sizeof(ulong)) + (g.Snapshot is null ? 0 : 2 * sizeof(ulong))),
        _ => throw new UnreachableException($"Unknown record {record.GetType().Name}."),
    };

    private static long GroupSize(GroupRecord group) =>
        sizeof(ulong) + sizeof(byte)
        + (group.HardState is null ? 0 : 3 * sizeof(ulong))
        + (group.InstalledSnapshot is null ? 0 : 2 * sizeof(ulong))
        + sizeof(uint)
        + group.Entries.Sum(e => (long)EntryHeaderSize + e.Data.Length);

    private static void WriteGroup(ref PayloadWriter writer, GroupRecord group)
    {
        WriteGroupHead(ref writer, group.GroupId, group.HardState, group.InstalledSnapshot, HasInstalledSnapshot);
        writer.WriteUInt32((uint)group.Entries.Count);
        foreach (Entry entry in group.Entries)
        {
            writer.WriteUInt64(entry.Index);
            writer.WriteUInt64(entry.Term);
            writer.WriteByte((byte)entry.Type);
            writer.WriteUInt32((uint)entry.Data.Length);
            writer.WriteBytes(entry.Data.Span);
        }
    }

    private static void WriteCheckpoint(ref PayloadWriter writer, GroupCheckpoint group) =>
        WriteGroupHead(ref writer, group.GroupId, group.HardState, group.Snapshot, HasSnapshot);

    /// <summary>What batch and checkpoint records say of a group first: its id, which parts follow, its hard state and a snapshot point.</summary>
    private static void WriteGroupHead(ref PayloadWriter writer, ulong groupId, HardState? hardState, SnapshotPoint? point, byte pointFlag)
    {
        writer.WriteUInt64(groupId);
        writer.WriteByte((byte)((hardState is null ? 0 : HasHardState) | (point is null ? 0 : pointFlag)));
        if (hardState is { } state)
        {
            writer.WriteUInt64(state.Term);
            writer.WriteUInt64(state.Vote);
            writer.WriteUInt64(state.Commit);
        }

        if (point is { } snapshot)
        {
            writer.WriteUInt64(snapshot.Index);
            writer.WriteUInt64(snapshot.Term);
        }
    }

    private static (ulong GroupId, HardState? HardState, SnapshotPoint? Point) ReadGroupHead(ref PayloadReader reader, byte pointFlag)
    {
        ulong groupId = reader.ReadUInt64();
        byte flags = reader.ReadByte();
        if ((flags & ~(HasHardState | pointFlag)) != 0)
        {
            throw new InvalidDataException($"Unknown flags {flags:x2} for group {groupId}.");
        }

        HardState? hardState = (flags & HasHardState) == 0
            ? null
            : new HardState(reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64());
        SnapshotPoint? point = (flags & pointFlag) == 0
            ? null
            : new SnapshotPoint(reader.ReadUInt64(), reader.ReadUInt64());
        return (groupId, hardState, point);
    }

    private static CheckpointRecord ReadCheckpoint(ref PayloadReader reader)
    {
        uint groupCount = reader.ReadUInt32();
        var groups = new List<GroupCheckpoint>();
        for (uint i = 0; i < groupCount; i++)
        {
            (ulong groupId, HardState? hardState, SnapshotPoint? snapshot) = ReadGroupHead(ref reader, HasSnapshot);
            groups.Add(new GroupCheckpoint(groupId, hardState, snapshot));
        }

        return new CheckpointRecord(groups);
    }

    private static BatchRecord ReadBatch(ref PayloadReader reader)
    {
        uint groupCount = reader.ReadUInt32();
        var groups = new List<GroupRecord>();
        for (uint i = 0; i < groupCount; i++)
        {
            groups.Add(ReadGroup(ref reader));
        }

        return new BatchRecord(groups);
    }

    private static BatchRecord ReadDroppingBatch(ref PayloadReader reader)
    {
        uint dropCount = reader.ReadUInt32();
        if (dropCount == 0 || dropCount > reader.Remaining / sizeof(ulong))
        {
            throw new InvalidDataException($"A batch that drops {dropCount} groups.");
        }

        var dropped = new ulong[dropCount];
        for (int i = 0; i < dropped.Length; i++)
        {
            dropped[i] = reader.ReadUInt64();
        }

        return ReadBatch(ref reader) with { Dropped = dropped };
    }

    private static GroupRecord ReadGroup(ref PayloadReader reader)
    {
        (ulong groupId, HardState? hardState, SnapshotPoint? installed) = ReadGroupHead(ref reader, HasInstalledSnapshot);

        uint entryCount = reader.ReadUInt32();
        var entries = new List<Entry>();
        for (uint i = 0; i < entryCount; i++)
        {
            ulong index = reader.ReadUInt64();
            ulong term = reader.ReadUInt64();
            var type = (EntryType)reader.ReadByte();
            if (!Enum.IsDefined(type))
            {
                throw new InvalidDataException($"Unknown entry type {(byte)type} at index {index} of group {groupId}.");
            }

            // Copied: the entry outlives the buffer the segment was read into.
            byte[] data = reader.ReadBytes(reader.ReadUInt32()).ToArray();
            entries.Add(new Entry(index, term, type, data));
        }

        return new GroupRecord(groupId, hardState, installed, entries);
    }
}
