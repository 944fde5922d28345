using System.IO.Hashing;
using System.Text;

namespace NodeNomad.Core.Cluster;

/// <summary>A key's position in the 64-bit hash space that shards cut into ranges: XxHash3 of its UTF-8 bytes.</summary>
public static class KeyHash
{
    /// <summary>The position of <paramref name="key"/>.</summary>
    public static ulong Of(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var count = Encoding.UTF8.GetByteCount(key);
        if (count <= 1024)
        {
            Span<byte> bytes = stackalloc byte[count];
            Encoding.UTF8.GetBytes(key, bytes);
            return XxHash3.HashToUInt64(bytes);
        }

        return XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(key));
    }
}
