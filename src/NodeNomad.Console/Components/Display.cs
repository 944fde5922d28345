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

    /// <summary>A moment as a UTC date and time, e.g. <c>2030-01-01 14:03:07</c>.</summary>
    public static string DateTime(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>
    /// An expiry as people read it: how far away it is ("in 4 min", "in 2 h 5 min", "expired") and when, in UTC,
    /// e.g. <c>in 4 min (2030-01-01 14:07:07 UTC)</c>.
    /// </summary>
    public static string Expiry(DateTimeOffset at, DateTimeOffset now)
    {
        var left = at - now;
        var relative = left <= TimeSpan.Zero ? "expired"
            : left.TotalSeconds < 60 ? $"in {Math.Ceiling(left.TotalSeconds):0} s"
            : left.TotalMinutes < 60 ? $"in {Math.Round(left.TotalMinutes):0} min"
            : left.TotalHours < 48 ? $"in {(int)left.TotalHours} h {left.Minutes} min"
            : $"in {(int)left.TotalDays} days";
        return string.Create(CultureInfo.InvariantCulture, $"{relative} ({DateTime(at)} UTC)");
    }

    /// <summary>A list of shard ids, e.g. <c>0, 3, 5</c>, or a dash when empty.</summary>
    public static string Shards(IReadOnlyList<int> shards) => shards.Count == 0 ? "–" : string.Join(", ", shards);
}
