using NodeNomad.Linearizability;

namespace NodeNomad.Load;

/// <summary><c>check-history FILE</c>: judges a recorded history with the linearizability checker.</summary>
internal static class CheckHistory
{
    /// <summary>Exit code when the history is linearizable.</summary>
    public const int Linearizable = 0;

    /// <summary>Exit code when it is not.</summary>
    public const int NotLinearizable = 1;

    /// <summary>Exit code when the file cannot be read or parsed.</summary>
    public const int Unreadable = 2;

    /// <summary>Exit code when the checker ran out of time without a verdict.</summary>
    public const int NoVerdict = 3;

    public static async Task<int> RunAsync(string path, TimeSpan timeout, TextWriter output)
    {
        var result = HistoryFile.Check(path, timeout);
        await output.WriteLineAsync(
            $"{path}: {result.Verdict} ({result.Format?.ToString() ?? "unknown format"}, {result.Operations} operations in {result.Partitions} partitions, {result.Elapsed.TotalMilliseconds:F1} ms)");
        await output.WriteLineAsync(result.Message);
        return result.Verdict switch
        {
            HistoryFileVerdict.Linearizable => Linearizable,
            HistoryFileVerdict.NotLinearizable => NotLinearizable,
            HistoryFileVerdict.Timeout => NoVerdict,
            _ => Unreadable,
        };
    }
}
