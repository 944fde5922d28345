using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using NodeNomad.Load.Stores;

namespace NodeNomad.Load.Scenarios;

/// <summary>The share of each operation in a scenario's load, as whole-number weights.</summary>
internal sealed record OperationMix(int Read, int StaleRead, int Write, int CompareAndSet, int Delete, int Scan)
{
    private static readonly (string Name, OperationKind Kind)[] Names =
    [
        ("read", OperationKind.Read), ("stale", OperationKind.StaleRead), ("write", OperationKind.Write),
        ("cas", OperationKind.CompareAndSet), ("delete", OperationKind.Delete), ("scan", OperationKind.Scan),
    ];

    public int Total => Read + StaleRead + Write + CompareAndSet + Delete + Scan;

    public int WeightOf(OperationKind kind) => kind switch
    {
        OperationKind.Read => Read,
        OperationKind.StaleRead => StaleRead,
        OperationKind.Write => Write,
        OperationKind.CompareAndSet => CompareAndSet,
        OperationKind.Delete => Delete,
        _ => Scan,
    };

    /// <summary>The operation a uniform draw in [0, <see cref="Total"/>) stands for.</summary>
    public OperationKind Pick(int draw)
    {
        foreach (var (_, kind) in Names)
        {
            draw -= WeightOf(kind);
            if (draw < 0)
            {
                return kind;
            }
        }

        return OperationKind.Scan;
    }

    /// <summary>Parses <c>read=50,stale=10,write=25,cas=5,delete=5,scan=5</c>; an operation left out weighs 0.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out OperationMix? mix, [NotNullWhen(false)] out string? error)
    {
        var weights = new Dictionary<OperationKind, int>();
        mix = null;
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            var known = Names.FirstOrDefault(n => n.Name == pair[0]);
            if (pair.Length != 2 || known.Name is null || !int.TryParse(pair[1], NumberStyles.None, CultureInfo.InvariantCulture, out var weight) || weight > 1000)
            {
                error = $"--mix: '{part}' is not NAME=WEIGHT with NAME one of {string.Join(", ", Names.Select(n => n.Name))} and WEIGHT 0-1000.";
                return false;
            }

            weights[known.Kind] = weight;
        }

        mix = new OperationMix(Weight(OperationKind.Read), Weight(OperationKind.StaleRead), Weight(OperationKind.Write),
            Weight(OperationKind.CompareAndSet), Weight(OperationKind.Delete), Weight(OperationKind.Scan));
        if (mix.Total == 0)
        {
            mix = null;
            error = "--mix: the weights add up to 0; give at least one operation a weight.";
            return false;
        }

        error = null;
        return true;

        int Weight(OperationKind kind) => weights.GetValueOrDefault(kind);
    }

    public override string ToString() => string.Join(",", Names.Where(n => WeightOf(n.Kind) > 0).Select(n => string.Create(CultureInfo.InvariantCulture, $"{n.Name}={WeightOf(n.Kind)}")));
}
