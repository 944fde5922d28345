using System.Buffers.Binary;
using System.Text;

namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>
/// The state machine each simulated replica applies committed entries to: string keys and values, with put
/// and compare-and-set. Serialises to bytes for snapshots, and has a fingerprint so that replicas at the same
/// applied index can be compared cheaply.
/// </summary>
internal sealed class ReplicaKvStore
{
    private readonly SortedDictionary<string, string> _values = new(StringComparer.Ordinal);

    public int Count => _values.Count;

    public string? Get(string key) => _values.GetValueOrDefault(key);

    /// <summary>Applies a write; for a compare-and-set, returns whether it found the expected value and wrote.</summary>
    public bool Apply(KvCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Kind == KvCommandKind.CompareAndSet && !string.Equals(Get(command.Key), command.Expected, StringComparison.Ordinal))
        {
            return false;
        }

        _values[command.Key] = command.Value;
        return true;
    }

    public byte[] Serialize()
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream, Encoding.UTF8);
        writer.Write(_values.Count);
        foreach (var (key, value) in _values)
        {
            writer.Write(key);
            writer.Write(value);
        }

        writer.Flush();
        return stream.ToArray();
    }

    public static ReplicaKvStore Restore(ReadOnlyMemory<byte> bytes)
    {
        var store = new ReplicaKvStore();
        if (bytes.IsEmpty)
        {
            return store;
        }

        using var reader = new BinaryReader(new MemoryStream(bytes.ToArray()), Encoding.UTF8);
        var count = reader.ReadInt32();
        for (var i = 0; i < count; i++)
        {
            var key = reader.ReadString();
            store._values[key] = reader.ReadString();
        }

        return store;
    }

    /// <summary>A hash of the contents that does not depend on the process (unlike string.GetHashCode).</summary>
    public ulong Fingerprint()
    {
        var hash = Fnv.Offset;
        Span<byte> count = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(count, _values.Count);
        hash = Fnv.Add(hash, count);
        foreach (var (key, value) in _values)
        {
            hash = Fnv.Add(hash, key);
            hash = Fnv.Add(hash, value);
        }

        return hash;
    }
}
