using NodeNomad.Contracts;

namespace NodeNomad.Client;

/// <summary>A key with its value as bytes, as <see cref="INodeNomadClient.GetBytesAsync"/> reads it.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">The value's bytes: those written as bytes, or the UTF-8 of a value written as text.</param>
/// <param name="Version">The log index of the write that produced this value.</param>
/// <param name="ExpiresAt">When the key expires, or null for never.</param>
/// <param name="IsBinary">Whether the value was written as bytes (false: as text).</param>
public sealed record KeyBytes(string Key, ReadOnlyMemory<byte> Value, long Version, DateTimeOffset? ExpiresAt, bool IsBinary)
{
    /// <summary>The shard that served this answer and its epoch.</summary>
    public ServedBy? ServedBy { get; init; }

    /// <summary>The bytes of <paramref name="read"/>, decoded from the base64 it travelled in; null for null.</summary>
    internal static KeyBytes? Of(KeyValue? read)
    {
        if (read is null)
        {
            return null;
        }

        byte[] bytes;
        try
        {
            bytes = read.GetBytes();
        }
        catch (FormatException e)
        {
            throw new NodeNomadException(System.Net.HttpStatusCode.OK, "Malformed answer", $"The node answered a binary value of {read.Key} that is not base64: {e.Message}", problem: null);
        }

        return new KeyBytes(read.Key, bytes, read.Version, read.ExpiresAt, read.IsBinary) { ServedBy = read.ServedBy };
    }
}
