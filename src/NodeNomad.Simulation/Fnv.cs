namespace NodeNomad.Simulation;

/// <summary>FNV-1a, 64 bits: a stable hash for traces and fingerprints (the same in every process and run).</summary>
public static class Fnv
{
    public const ulong Offset = 14695981039346656037;
    private const ulong Prime = 1099511628211;

    public static ulong Add(ulong hash, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * Prime;
        }

        return hash;
    }

    public static ulong Add(ulong hash, ulong value)
    {
        for (var i = 0; i < 8; i++)
        {
            hash = (hash ^ (byte)(value >> (8 * i))) * Prime;
        }

        return hash;
    }

    public static ulong Add(ulong hash, string text)
    {
        hash = Add(hash, (ulong)text.Length);
        foreach (var c in text)
        {
            hash = (hash ^ (byte)c) * Prime;
            hash = (hash ^ (byte)(c >> 8)) * Prime;
        }

        return hash;
    }
}
