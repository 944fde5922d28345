using System.Buffers;
using System.Security.Cryptography;

namespace NodeNomad.Node.Transport;

/// <summary>
/// A snapshot being received: its message and the data gathered so far. The buffer grows with the chunks that
/// actually arrive (never beyond the announced length), so a start frame announcing a huge snapshot costs
/// nothing until the bytes come.
/// </summary>
internal sealed class SnapshotAssembly(GroupMessage start, long dataBytes)
{
    private const int InitialBytes = 1024 * 1024;

    private byte[] _data = new byte[Math.Min(dataBytes, InitialBytes)];
    private int _received;

    public void Append(ReadOnlySequence<byte> chunk)
    {
        if (chunk.Length > dataBytes - _received)
        {
            throw new FormatException($"Snapshot chunks bring more than the {dataBytes} bytes the start frame announced.");
        }

        var needed = _received + (int)chunk.Length;
        if (needed > _data.Length)
        {
            Array.Resize(ref _data, (int)Math.Min(dataBytes, Math.Max(needed, 2L * _data.Length)));
        }

        chunk.CopyTo(_data.AsSpan(_received));
        _received = needed;
    }

    /// <summary>The snapshot message with its data, once the data is whole and matches <paramref name="digest"/>.</summary>
    public GroupMessage Complete(ReadOnlySpan<byte> digest)
    {
        if (_received != dataBytes)
        {
            throw new FormatException($"The snapshot ended after {_received} of the {dataBytes} bytes its start frame announced.");
        }

        if (digest.Length != RaftMessageCodec.SnapshotDigestBytes)
        {
            throw new FormatException($"A snapshot end frame holds {digest.Length} bytes instead of a {RaftMessageCodec.SnapshotDigestBytes}-byte digest.");
        }

        if (!SHA256.HashData(_data).AsSpan().SequenceEqual(digest))
        {
            throw new FormatException("The snapshot's data does not match the digest its sender computed.");
        }

        var message = start.Message;
        return start with { Message = message with { Snapshot = message.Snapshot! with { Data = _data } } };
    }
}
