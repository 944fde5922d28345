using System.Diagnostics.CodeAnalysis;

namespace NodeNomad.Load;

/// <summary>The options of <c>bench-writes</c>.</summary>
internal sealed record BenchWritesOptions(Uri? Url, LoadSettings Load, bool Etcd)
{
    private static readonly OptionTable<BenchWritesOptions> Options = new OptionTable<BenchWritesOptions>()
        .Flag("--etcd", o => o with { Etcd = true })
        .Valued("--url", "an http URL on 127.0.0.1", (o, text) => OptionValues.Loopback(text, out var url) ? o with { Url = url } : null)
        .Load(o => o.Load, (o, load) => o with { Load = load });

    public static bool TryParse(IReadOnlyList<string> args, [NotNullWhen(true)] out BenchWritesOptions? options, [NotNullWhen(false)] out string? error) =>
        Options.TryParse(args, new BenchWritesOptions(Url: null, LoadSettings.Default, Etcd: false), out options, out error);
}
