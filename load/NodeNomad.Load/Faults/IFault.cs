using NodeNomad.Load.Stores;

namespace NodeNomad.Load.Faults;

/// <summary>
/// Something done to the store while a scenario's load runs: a shard moved, and (for the chaos scenarios) a node
/// killed or paused, a link cut. The <see cref="FaultTimeline"/> starts it at its time; it marks what it does on the
/// run's timeline through <see cref="FaultContext"/>, and returns once it is over (healed, finished).
/// </summary>
internal interface IFault
{
    /// <summary>Shown while the fault is in force and in the report's events, e.g. <c>migrate shard-1</c>.</summary>
    string Name { get; }

    /// <summary>Why the fault cannot be done to <paramref name="deployment"/>, or null when it can; the run goes on without it.</summary>
    string? Unsupported(IStoreDeployment deployment);

    /// <summary>Does the fault. An expected failure (the store refused) is marked on the timeline, not thrown.</summary>
    Task RunAsync(FaultContext context, CancellationToken cancellationToken);
}
