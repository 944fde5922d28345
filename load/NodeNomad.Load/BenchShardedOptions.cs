using System.Diagnostics.CodeAnalysis;

namespace NodeNomad.Load;

/// <summary>The options of <c>bench-sharded</c>: the common load settings, by default 64 clients for 8 seconds.</summary>
/// <param name="Load">Duration, client counts, value size and request budget of every run.</param>
internal sealed record BenchShardedOptions(LoadSettings Load)
{
    private static readonly OptionTable<BenchShardedOptions> Options = new OptionTable<BenchShardedOptions>()
        .Load(o => o.Load, (o, load) => o with { Load = load });

    public static bool TryParse(IReadOnlyList<string> args, [NotNullWhen(true)] out BenchShardedOptions? options, [NotNullWhen(false)] out string? error) =>
        Options.TryParse(args, new BenchShardedOptions(LoadSettings.Default with { Seconds = 8, Clients = [64] }), out options, out error);
}
