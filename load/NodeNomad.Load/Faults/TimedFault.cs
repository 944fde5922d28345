namespace NodeNomad.Load.Faults;

/// <summary>A fault and when, from the start of the measured load, it begins.</summary>
internal sealed record TimedFault(TimeSpan At, IFault Fault);
