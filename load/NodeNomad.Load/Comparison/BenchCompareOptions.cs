using System.Diagnostics.CodeAnalysis;

namespace NodeNomad.Load.Comparison;

/// <summary><c>bench-compare [--seconds N]</c>.</summary>
/// <param name="Seconds">Measured seconds of each figure (writes at 64 connections, reads, 1 connection, the fixed rates).</param>
internal sealed record BenchCompareOptions(int Seconds, int WarmUpSeconds = 1)
{
    private static readonly OptionTable<BenchCompareOptions> Options = new OptionTable<BenchCompareOptions>()
        .Valued("--seconds", "1..600", (o, text) => OptionValues.Whole(text, 1, 600, out var n) ? o with { Seconds = (int)n } : null)
        .Valued("--warm-up", "1..600", (o, text) => OptionValues.Whole(text, 1, 600, out var n) ? o with { WarmUpSeconds = (int)n } : null);

    public static bool TryParse(IReadOnlyList<string> args, [NotNullWhen(true)] out BenchCompareOptions? options, [NotNullWhen(false)] out string? error) =>
        Options.TryParse(args, new BenchCompareOptions(Seconds: 8), out options, out error);
}
