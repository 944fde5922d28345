namespace NodeNomad.Simulation;

/// <summary>A node's wall clock in the simulation: virtual time, off by the node's own skew.</summary>
public sealed class SimulatedClock(Func<long> now, long skewMilliseconds) : TimeProvider
{
    /// <summary>Where virtual time 0 lies on the wall clock.</summary>
    public static readonly DateTimeOffset Origin = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => Origin.AddMilliseconds(now() + skewMilliseconds);
}
