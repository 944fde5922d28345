using System.Globalization;

namespace NodeNomad.Console.Components;

/// <summary>How the pages write numbers, sizes and times.</summary>
public static class Display
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB"];

    /// <summary>A byte count in the largest binary unit that keeps it at least 1, e.g. <c>1.5 MiB</c>.</summary>
    public static string Bytes(long bytes)
    {
        double value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} B" : string.Create(CultureInfo.InvariantCulture, $"{value:0.#} {Units[unit]}");
    }

    /// <summary>A rate per second, e.g. <c>12.5/s</c>.</summary>
    public static string Rate(double perSecond) => string.Create(CultureInfo.InvariantCulture, $"{perSecond:0.#}/s");

    /// <summary>Milliseconds, e.g. <c>3.25 ms</c>.</summary>
    public static string Milliseconds(double milliseconds) => string.Create(CultureInfo.InvariantCulture, $"{milliseconds:0.##} ms");

    /// <summary>A duration in the two largest units, e.g. <c>2h 5m</c>.</summary>
    public static string Uptime(double seconds)
    {
        var span = TimeSpan.FromSeconds(Math.Max(0, seconds));
        return span.TotalDays >= 1 ? $"{(int)span.TotalDays}d {span.Hours}h"
            : span.TotalHours >= 1 ? $"{span.Hours}h {span.Minutes}m"
            : span.TotalMinutes >= 1 ? $"{span.Minutes}m {span.Seconds}s"
            : $"{span.Seconds}s";
    }

    /// <summary>A moment as UTC time of day, e.g. <c>14:03:07</c>.</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>A list of shard ids, e.g. <c>0, 3, 5</c>, or a dash when empty.</summary>
    public static string Shards(IReadOnlyList<int> shards) => shards.Count == 0 ? "–" : string.Join(", ", shards);
}
