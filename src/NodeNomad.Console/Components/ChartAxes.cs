using System.Globalization;
using MudBlazor;

namespace NodeNomad.Console.Components;

/// <summary>
/// The axes of the console's time charts: the vertical one titled with its unit (<c>ops/s</c>, <c>ms</c>, <c>MiB</c>)
/// and its ticks in short numbers, the horizontal one titled as the time of day in UTC, which its labels are.
/// </summary>
public static class ChartAxes
{
    /// <summary>The title of the horizontal axis.</summary>
    public const string TimeTitle = "time (UTC)";

    /// <summary>Line chart options whose vertical axis is titled <paramref name="unit"/>.</summary>
    public static LineChartOptions Over(string unit) => new()
    {
        YAxisTitle = unit,
        XAxisTitle = TimeTitle,
        YAxisToStringFunc = Tick,
    };

    /// <summary>A tick in few characters: 950, 1.25k, 25k, 2M; fractions to two places, so that close ticks stay apart.</summary>
    public static string Tick(double value) => Math.Abs(value) switch
    {
        >= 1_000_000 => (value / 1_000_000).ToString("0.##", CultureInfo.InvariantCulture) + "M",
        >= 10_000 => (value / 1_000).ToString("0.#", CultureInfo.InvariantCulture) + "k",
        >= 1_000 => (value / 1_000).ToString("0.##", CultureInfo.InvariantCulture) + "k",
        _ => value.ToString("0.##", CultureInfo.InvariantCulture),
    };
}
