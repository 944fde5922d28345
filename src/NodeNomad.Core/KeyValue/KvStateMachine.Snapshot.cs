using System.Buffers.Binary;

namespace NodeNomad.Core.KeyValue;

public sealed partial class KvStateMachine
{
    private const uint SnapshotMagic = 0x4E4E4B56; // "NNKV"
    private const int SnapshotFormat = 1;

    /// <summary>
    /// Serializes every held record (expired ones too: they leave only through a logged purge) and the
    /// applied index. The bytes restore to an identical state machine on any replica.
    /// </summary>
    public byte[] Serialize()
    {
        var writer = new KvCommandCodec.ByteWriter();
        writer.Int32(unchecked((int)SnapshotMagic));
        writer.Int32(SnapshotFormat);
        writer.Int64(AppliedIndex);
        writer.Int32(_records.Count);
        foreach (var key in _order)
        {
            var record = _records[key];
            writer.String(record.Key);
            writer.String(record.Value);
            writer.Int64(record.Version);
            writer.Int64(KvCommandCodec.WriteExpiry(record.ExpiresAt));
        }

        return writer.ToArray();
    }

    /// <summary>Rebuilds a state machine from <see cref="Serialize"/>'s bytes; throws <see cref="FormatException"/> on bad input.</summary>
    public static KvStateMachine Restore(ReadOnlySpan<byte> snapshot)
    {
        if (snapshot.Length < 4 || BinaryPrimitives.ReadUInt32LittleEndian(snapshot) != SnapshotMagic)
        {
            throw new FormatException("Not a key-value snapshot.");
        }

        var reader = new KvCommandCodec.ByteReader(snapshot);
        reader.Int32();
        var format = reader.Int32();
        if (format != SnapshotFormat)
        {
            throw new FormatException($"Unknown key-value snapshot format {format}.");
        }

        var machine = new KvStateMachine();
        var applied = reader.Int64();
        var count = reader.Int32();
        for (var i = 0; i < count; i++)
        {
            var key = reader.String();
            var value = reader.String();
            var version = reader.Int64();
            var expiresAt = KvCommandCodec.ReadExpiry(reader.Int64());
            machine.Put(version, key, value, expiresAt);
        }

        reader.EnsureEnd();
        machine.AppliedIndex = applied;
        return machine;
    }
}
