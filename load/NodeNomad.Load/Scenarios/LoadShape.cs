using System.Globalization;

namespace NodeNomad.Load.Scenarios;

/// <summary>How a phase offers its load.</summary>
internal abstract record LoadShape
{
    /// <summary>The most operations in flight at once: the clients of a closed loop, the senders of an open one.</summary>
    public abstract int Workers { get; }

    public abstract string Describe();
}

/// <summary>A fixed number of clients, each sending its next operation as soon as the previous one is answered.</summary>
internal sealed record ClosedLoad(int Clients) : LoadShape
{
    public override int Workers => Clients;

    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"closed loop, {Clients} clients");
}

/// <summary>
/// An open loop: operations are due at a rate that goes from <paramref name="StartRate"/> to <paramref name="EndRate"/>
/// over the phase (constant when they are equal, a ramp otherwise), whatever the store answers. Latency is measured
/// from when each operation was due, so a stall counts against every operation it delays (no coordinated omission).
/// </summary>
/// <param name="MaxInFlight">Senders; when every one is waiting for an answer, later operations leave late, and their lateness counts.</param>
internal sealed record OpenLoad(double StartRate, double EndRate, int MaxInFlight) : LoadShape
{
    public override int Workers => MaxInFlight;

    public override string Describe() => StartRate == EndRate
        ? string.Create(CultureInfo.InvariantCulture, $"constant rate, {StartRate:0} ops/s")
        : string.Create(CultureInfo.InvariantCulture, $"ramp, {StartRate:0} to {EndRate:0} ops/s");
}

/// <summary>One stretch of a scenario's load.</summary>
internal sealed record LoadPhase(string Name, TimeSpan Duration, LoadShape Shape)
{
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"{Name}: {Shape.Describe()} for {Duration.TotalSeconds:0} s");
}
