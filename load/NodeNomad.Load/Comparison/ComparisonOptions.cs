using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace NodeNomad.Load.Comparison;

/// <summary><c>compare-report [--seconds N] [--rate N] [--out DIR] [--seed N]</c>.</summary>
/// <param name="Seconds">Measured seconds of each row (a load on a store).</param>
/// <param name="Rate">Operations per second offered in the fixed-rate rows.</param>
/// <param name="Out">The folder the report and its own folder go to; null for the repository's <c>load/reports</c>.</param>
internal sealed record ComparisonOptions(int Seconds, int Rate, string? Out, int Seed)
{
    /// <summary>With it, the whole run takes about 15 minutes on a 2-core machine: 24 rows, plus about 4 minutes of start-ups, checks and chaos rounds.</summary>
    public const int DefaultSeconds = 25;

    public const int DefaultRate = 500;

    private static readonly OptionTable<ComparisonOptions> Options = new OptionTable<ComparisonOptions>()
        .Valued("--seconds", "1..600", (o, text) => OptionValues.Whole(text, 1, 600, out var n) ? o with { Seconds = (int)n } : null)
        .Valued("--rate", "1..100000 (operations per second)", (o, text) => OptionValues.Whole(text, 1, 100_000, out var n) ? o with { Rate = (int)n } : null)
        .Valued("--out", "a folder", (o, text) => text.Length > 0 && !text.StartsWith('-') ? o with { Out = text } : null)
        .Valued("--seed", $"0..{int.MaxValue}", (o, text) => OptionValues.Whole(text, 0, int.MaxValue, out var n) ? o with { Seed = (int)n } : null);

    public static bool TryParse(IReadOnlyList<string> args, [NotNullWhen(true)] out ComparisonOptions? options, [NotNullWhen(false)] out string? error)
    {
        if (!Options.TryParse(args, new ComparisonOptions(DefaultSeconds, DefaultRate, Out: null, Random.Shared.Next()), out options, out error))
        {
            error = $"compare-report: {error}";
            return false;
        }

        return true;
    }

    /// <summary>The command that runs this comparison again, seed included.</summary>
    public string CommandLine() => string.Create(CultureInfo.InvariantCulture,
        $"dotnet run -c Release --project load/NodeNomad.Load -- compare-report --seconds {Seconds} --rate {Rate} --seed {Seed}{(Out is null ? "" : $" --out {Out}")}");
}
