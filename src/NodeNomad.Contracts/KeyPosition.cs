using System.IO.Hashing;
using System.Text;

namespace NodeNomad.Contracts;

/// <summary>
/// A key's position in the 64-bit hash space that shards cut into ranges: XxHash3 of its UTF-8 bytes. Nodes place
/// keys with it and clients route keys with it, so both sides of the wire compute the very same position.
/// </summary>
public static class KeyPosition
{
    private const int StackLimit = 1024;

    /// <summary>The position of <paramref name="key"/>.</summary>
    public static ulong Of(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var count = Encoding.UTF8.GetByteCount(key);
        if (count <= StackLimit)
        {
            Span<byte> bytes = stackalloc byte[count];
            Encoding.UTF8.GetBytes(key, bytes);
            return XxHash3.HashToUInt64(bytes);
        }

        return XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(key));
    }
}
