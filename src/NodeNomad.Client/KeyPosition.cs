using System.IO.Hashing;
using System.Text;

namespace NodeNomad.Client;

/// <summary>
/// A key's position in the hash space: XxHash3 of its UTF-8 bytes, the same function the nodes cut the key space
/// with (NodeNomad.Core's KeyHash), repeated here because the client depends on nothing but the wire contract.
/// </summary>
internal static class KeyPosition
{
    private const int StackLimit = 1024;

    public static ulong Of(string key)
    {
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
