using System.Globalization;

namespace NodeNomad.Core.Cluster;

/// <summary>A contiguous, inclusive range of the 64-bit key-hash space: the keys one shard owns.</summary>
/// <param name="Start">First position in the range.</param>
/// <param name="End">Last position in the range (inclusive, so the last range can end at <see cref="ulong.MaxValue"/>).</param>
public readonly record struct HashRange(ulong Start, ulong End)
{
    /// <summary>Whether <paramref name="position"/> falls in the range.</summary>
    public bool Contains(ulong position) => position >= Start && position <= End;

    /// <summary>The start as the 16 hex digits the API uses.</summary>
    public string StartHex => Start.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>The end as the 16 hex digits the API uses.</summary>
    public string EndHex => End.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>
    /// Cuts the whole space into <paramref name="count"/> contiguous ranges of equal size (the last takes the
    /// remainder), in order: range i holds the positions a new cluster gives shard i.
    /// </summary>
    public static IReadOnlyList<HashRange> Split(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var size = (UInt128)ulong.MaxValue + 1;
        var ranges = new HashRange[count];
        for (var i = 0; i < count; i++)
        {
            var start = (ulong)(size * (UInt128)i / (UInt128)count);
            var end = (ulong)((size * (UInt128)(i + 1) / (UInt128)count) - 1);
            ranges[i] = new HashRange(start, end);
        }

        return ranges;
    }

    /// <summary>Parses the API's form: two 16-hex-digit positions.</summary>
    public static HashRange Parse(string start, string end) => new(
        ulong.Parse(start, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture),
        ulong.Parse(end, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
}
