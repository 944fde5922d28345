using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace NodeNomad.Load;

/// <summary>The options of <c>bench-cluster</c>.</summary>
/// <param name="Load">Duration, client counts, value size and request budget of every run.</param>
/// <param name="Nodes">Members of the cluster compared with the single node.</param>
internal sealed record BenchClusterOptions(LoadSettings Load, int Nodes)
{
    private const int MinNodes = 2;
    private const int MaxNodes = 7;

    private static readonly OptionTable<BenchClusterOptions> Options = new OptionTable<BenchClusterOptions>()
        .Load(o => o.Load, (o, load) => o with { Load = load })
        .Valued("--nodes", string.Create(CultureInfo.InvariantCulture, $"{MinNodes}..{MaxNodes}"),
            (o, text) => OptionValues.Whole(text, MinNodes, MaxNodes, out var nodes) ? o with { Nodes = (int)nodes } : null);

    public static bool TryParse(IReadOnlyList<string> args, [NotNullWhen(true)] out BenchClusterOptions? options, [NotNullWhen(false)] out string? error) =>
        Options.TryParse(args, new BenchClusterOptions(LoadSettings.Default, Nodes: 3), out options, out error);
}
