using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace NodeNomad.Load.Scenarios;

/// <summary>
/// <c>run SCENARIO [--target nodenomad|etcd] [--profile ci|full] [--out DIR] [--seed N] [--mix SPEC]</c> and
/// <c>compare SCENARIO</c> with the same options but <c>--target</c>.
/// </summary>
/// <param name="Compare">True for <c>compare</c>: NodeNomad, then etcd, then the ratios.</param>
/// <param name="Out">The report folder, or null for one under the repository's <c>artifacts/load/</c>.</param>
/// <param name="Mix">Replaces the scenario's operation mix, or null.</param>
internal sealed record ScenarioOptions(bool Compare, Scenario Scenario, StoreKind Target, LoadProfile Profile, string? Out, int Seed, OperationMix? Mix)
{
    public static bool TryParse(IReadOnlyList<string> args, [NotNullWhen(true)] out ScenarioOptions? options, [NotNullWhen(false)] out string? error)
    {
        options = null;
        if (args.Count < 2 || args[0] is not ("run" or "compare") || args[1].StartsWith('-'))
        {
            error = $"{(args.Count > 0 ? args[0] : "run")}: name a scenario: {string.Join(", ", ScenarioCatalog.Names)}.";
            return false;
        }

        var compare = args[0] == "compare";
        var target = StoreKind.NodeNomad;
        var profile = LoadProfile.Ci;
        string? folder = null;
        int? seed = null;
        OperationMix? mix = null;
        for (var i = 2; i < args.Count; i += 2)
        {
            var option = args[i];
            if (i + 1 >= args.Count)
            {
                error = $"{args[0]}: {option} needs a value.";
                return false;
            }

            var value = args[i + 1];
            switch (option)
            {
                case "--target" when !compare && value is "nodenomad" or "etcd":
                    target = value == "etcd" ? StoreKind.Etcd : StoreKind.NodeNomad;
                    break;
                case "--target" when compare:
                    error = "compare: --target is not an option; compare always runs NodeNomad, then etcd.";
                    return false;
                case "--target":
                    error = $"run: --target is nodenomad or etcd, not '{value}'.";
                    return false;
                case "--profile" when value is "ci" or "full":
                    profile = value == "ci" ? LoadProfile.Ci : LoadProfile.Full;
                    break;
                case "--profile":
                    error = $"{args[0]}: --profile is ci or full, not '{value}'.";
                    return false;
                case "--out" when value.Length > 0 && !value.StartsWith('-'):
                    folder = value;
                    break;
                case "--seed" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n):
                    seed = n;
                    break;
                case "--seed":
                    error = $"{args[0]}: --seed is a whole number from 0 to {int.MaxValue}, not '{value}'.";
                    return false;
                case "--mix":
                    if (!OperationMix.TryParse(value, out mix, out error))
                    {
                        return false;
                    }

                    break;
                default:
                    error = $"{args[0]}: unknown option '{option}' (options: {(compare ? "" : "--target, ")}--profile, --out, --seed, --mix).";
                    return false;
            }
        }

        var scenario = ScenarioCatalog.Find(args[1], profile, out error);
        if (scenario is null)
        {
            error = $"{args[0]}: {error}";
            return false;
        }

        if (mix is not null)
        {
            scenario = scenario with { Mix = mix };
        }

        options = new ScenarioOptions(compare, scenario, target, profile, folder, seed ?? Random.Shared.Next(), mix);
        return true;
    }
}
