using System.Diagnostics.CodeAnalysis;

namespace NodeNomad.Load.Comparison;

/// <summary><c>bench-compare [--seconds N] [--warm-up N] [--shapes etcd,3x1,3x8,5x8] [--metrics-out DIR]</c>.</summary>
/// <param name="Seconds">Measured seconds of each figure (writes at 64 connections, reads, 1 connection, the fixed rates).</param>
/// <param name="Shapes">The clusters to measure, by shape (<c>etcd</c>, <c>3x1</c>, <c>3x8</c>, <c>5x8</c>); null for all of them.</param>
/// <param name="MetricsOut">A folder to keep every member's <c>/metrics</c> text in after each figure, or null.</param>
internal sealed record BenchCompareOptions(int Seconds, int WarmUpSeconds = 1, IReadOnlySet<string>? Shapes = null, string? MetricsOut = null)
{
    /// <summary>The shapes <c>--shapes</c> may name.</summary>
    public static readonly string[] KnownShapes = ["etcd", "3x1", "3x8", "5x8"];

    private static readonly OptionTable<BenchCompareOptions> Options = new OptionTable<BenchCompareOptions>()
        .Valued("--seconds", "1..600", (o, text) => OptionValues.Whole(text, 1, 600, out var n) ? o with { Seconds = (int)n } : null)
        .Valued("--warm-up", "1..600", (o, text) => OptionValues.Whole(text, 1, 600, out var n) ? o with { WarmUpSeconds = (int)n } : null)
        .Valued("--shapes", string.Join(",", KnownShapes) + " (any of them, comma-separated)", (o, text) =>
            text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } named && named.All(KnownShapes.Contains)
                ? o with { Shapes = named.ToHashSet() }
                : null)
        .Valued("--metrics-out", "a folder", (o, text) => string.IsNullOrWhiteSpace(text) ? null : o with { MetricsOut = text });

    public static bool TryParse(IReadOnlyList<string> args, [NotNullWhen(true)] out BenchCompareOptions? options, [NotNullWhen(false)] out string? error) =>
        Options.TryParse(args, new BenchCompareOptions(Seconds: 8), out options, out error);
}
