namespace NodeNomad.Load.Scenarios;

/// <summary>
/// When each operation of an open-loop phase is due: the rate goes linearly from <paramref name="StartRate"/> to
/// <paramref name="EndRate"/> over <paramref name="Duration"/>, so the count due by time t is
/// N(t) = r0·t + (r1 − r0)·t²/(2D), and the n-th operation is due at the t where N(t) = n.
/// </summary>
internal sealed record OpenLoopSchedule(double StartRate, double EndRate, TimeSpan Duration)
{
    /// <summary>How many operations fall due within the phase.</summary>
    public long Count => (long)Math.Floor(Duration.TotalSeconds * (StartRate + EndRate) / 2);

    /// <summary>When operation <paramref name="n"/> (from 0) is due, from the phase's start; null past the last one.</summary>
    public TimeSpan? DueAt(long n)
    {
        if (n < 0 || n >= Count)
        {
            return null;
        }

        var slope = (EndRate - StartRate) / Duration.TotalSeconds;
        var seconds = Math.Abs(slope) < 1e-9
            ? n / StartRate
            : (-StartRate + Math.Sqrt(StartRate * StartRate + 2 * slope * n)) / slope;
        return TimeSpan.FromSeconds(seconds);
    }
}
