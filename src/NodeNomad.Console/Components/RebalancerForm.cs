using System.Globalization;
using NodeNomad.Contracts;

namespace NodeNomad.Console.Components;

/// <summary>
/// The Rebalancer page's settings form: the values being edited, what is wrong with them (the cluster's own rules, so
/// the operator learns before sending; the cluster checks again), and the request they make.
/// </summary>
public sealed class RebalancerForm
{
    /// <summary>The loads the rebalancer can balance.</summary>
    public static IReadOnlyList<string> Dimensions { get; } = ["requests", "reads", "writes", "bytes", "keys", "leaderships"];

    public bool Enabled { get; set; } = true;

    public int IntervalSeconds { get; set; } = 10;

    public string Dimension { get; set; } = "requests";

    public double Threshold { get; set; } = 1.25;

    public double Hysteresis { get; set; } = 1.10;

    public int CooldownSeconds { get; set; } = 120;

    public int MaxConcurrentMoves { get; set; } = 1;

    /// <summary>MiB/s for every node; null leaves each node's own setting.</summary>
    public int? SnapshotBandwidthMiB { get; set; }

    /// <summary>Weights as <c>node-1=2, node-3=1</c>.</summary>
    public string Weights { get; set; } = string.Empty;

    /// <summary>The form showing <paramref name="settings"/>.</summary>
    public static RebalancerForm From(RebalancerSettingsInfo settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new RebalancerForm
        {
            Enabled = settings.Enabled,
            IntervalSeconds = settings.IntervalSeconds,
            Dimension = settings.Dimension,
            Threshold = settings.Threshold,
            Hysteresis = settings.Hysteresis,
            CooldownSeconds = settings.CooldownSeconds,
            MaxConcurrentMoves = settings.MaxConcurrentMoves,
            SnapshotBandwidthMiB = settings.SnapshotBandwidthMiB,
            Weights = string.Join(", ", settings.Weights.OrderBy(w => w.Key, StringComparer.Ordinal).Select(w => $"{w.Key}={w.Value.ToString(CultureInfo.InvariantCulture)}")),
        };
    }

    /// <summary>What is wrong, by field; empty when the form may be sent.</summary>
    public IReadOnlyDictionary<string, string> Problems()
    {
        var problems = new Dictionary<string, string>();
        if (IntervalSeconds is < 1 or > 3600)
        {
            problems["interval"] = "Between 1 and 3600 seconds.";
        }

        if (Threshold is <= 1 or > 10)
        {
            problems["threshold"] = "Above 1 and at most 10 (a node is hot at this many times the mean).";
        }

        if (Hysteresis < 1 || Hysteresis >= Threshold)
        {
            problems["hysteresis"] = "At least 1 and below the threshold (balancing stops below it).";
        }

        if (CooldownSeconds is < 0 or > 86_400)
        {
            problems["cooldown"] = "Between 0 and 86400 seconds.";
        }

        if (MaxConcurrentMoves is < 1 or > 64)
        {
            problems["max-moves"] = "Between 1 and 64.";
        }

        if (SnapshotBandwidthMiB is < 0 or > 100_000)
        {
            problems["bandwidth"] = "Between 0 (no limit) and 100000 MiB/s, or empty for each node's own.";
        }

        if (ParsedWeights() is null)
        {
            problems["weights"] = "Write node=weight pairs, weights 1 to 1000, separated by commas.";
        }

        return problems;
    }

    /// <summary>The request setting every field of the form.</summary>
    public RebalancerSettingsRequest ToRequest() => new(
        Enabled, IntervalSeconds, Dimension, Threshold, Hysteresis, CooldownSeconds, MaxConcurrentMoves,
        SnapshotBandwidthMiB, ClearSnapshotBandwidth: SnapshotBandwidthMiB is null, Weights: ParsedWeights());

    private Dictionary<string, int>? ParsedWeights()
    {
        var weights = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var pair in Weights.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var weight) || weight is < 1 or > 1000)
            {
                return null;
            }

            weights[parts[0]] = weight;
        }

        return weights;
    }
}
