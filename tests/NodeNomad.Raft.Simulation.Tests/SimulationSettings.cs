namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>
/// The shape of one simulated run, drawn from its seed so that different seeds explore different clusters,
/// networks and Raft settings. Times are virtual milliseconds.
/// </summary>
internal sealed record SimulationSettings
{
    /// <summary>Voters the group starts with (3 or 5).</summary>
    public required int Replicas { get; init; }

    /// <summary>How long faults are injected and clients start operations.</summary>
    public required long FaultPhase { get; init; }

    /// <summary>How long after everything heals the live voters must agree, or the run fails for liveness.</summary>
    public long LivenessBound { get; init; } = 15_000;

    /// <summary>Milliseconds between a replica's ticks (each replica's clock drifts a little from this).</summary>
    public int TickPeriod { get; init; } = 10;

    public required int ElectionTick { get; init; }

    public required int HeartbeatTick { get; init; }

    public required bool PreVote { get; init; }

    public required bool CheckQuorum { get; init; }

    public required int MaxInflightMessages { get; init; }

    public required long MaxBytesPerAppend { get; init; }

    public required double DropRate { get; init; }

    public required double DuplicateRate { get; init; }

    public required int MaxDelay { get; init; }

    /// <summary>Chance that a message is very slow (up to ten times <see cref="MaxDelay"/>), overtaken by later ones.</summary>
    public required double SlowRate { get; init; }

    /// <summary>Chance that a report of a dropped message reaches the sender as ReportUnreachable.</summary>
    public double ReportUnreachableRate { get; init; } = 0.3;

    /// <summary>Chance that the host handles a replica's Ready a little later rather than at once (so steps batch up).</summary>
    public required double LateReadyRate { get; init; }

    /// <summary>A replica snapshots its state machine and compacts its log every this many applied entries.</summary>
    public required int SnapshotEvery { get; init; }

    /// <summary>Mean milliseconds between faults.</summary>
    public required int FaultInterval { get; init; }

    public required int Clients { get; init; }

    public required int Keys { get; init; }

    /// <summary>How long a client waits for a write before its outcome is unknown.</summary>
    public int WriteTimeout { get; init; } = 1_500;

    /// <summary>How long a client waits for a read before it tries another replica.</summary>
    public int ReadTimeout { get; init; } = 400;

    /// <summary>The deliberate host mistake, if any.</summary>
    public HostFlaw Flaw { get; init; }

    /// <summary>
    /// How reads are confirmed. Lease-based reads are only as good as the clocks, so their runs keep every
    /// replica's clock steady and never freeze a process: a failure then lies in the lease itself.
    /// </summary>
    public ReadOnlyOption ReadOnly { get; init; }

    /// <summary>How many milliseconds a replica's tick period may differ from <see cref="TickPeriod"/>.</summary>
    public int ClockDrift => ReadOnly == ReadOnlyOption.LeaseBased ? 0 : 1;

    /// <summary>Whether the nemesis may freeze a replica's process.</summary>
    public bool Pauses => ReadOnly != ReadOnlyOption.LeaseBased;

    public static SimulationSettings Draw(Random random, HostFlaw flaw, long faultPhase, ReadOnlyOption readOnly = ReadOnlyOption.Safe)
    {
        ArgumentNullException.ThrowIfNull(random);
        var electionTick = random.Next(4, 15);
        return new SimulationSettings
        {
            Replicas = random.Next(3) == 0 ? 5 : 3,
            FaultPhase = faultPhase,
            ElectionTick = electionTick,
            HeartbeatTick = random.Next(1, Math.Min(4, electionTick)),
            PreVote = random.Next(5) != 0,
            // Lease-based reads require check-quorum (the core refuses the combination otherwise).
            CheckQuorum = random.Next(5) != 0 || readOnly == ReadOnlyOption.LeaseBased,
            MaxInflightMessages = random.Next(2) == 0 ? 256 : random.Next(1, 5),
            MaxBytesPerAppend = random.Next(2) == 0 ? 1024 * 1024 : random.Next(40, 400),
            DropRate = random.NextDouble() * 0.08,
            DuplicateRate = random.NextDouble() * 0.05,
            MaxDelay = random.Next(2, 16),
            SlowRate = random.NextDouble() * 0.1,
            LateReadyRate = random.NextDouble() * 0.5,
            SnapshotEvery = random.Next(5, 60),
            FaultInterval = random.Next(150, 600),
            Clients = random.Next(2, 5),
            Keys = random.Next(2, 5),
            Flaw = flaw,
            ReadOnly = readOnly,
        };
    }

    public override string ToString() =>
        $"{Replicas} voters, election {ElectionTick} ticks, heartbeat {HeartbeatTick}, pre-vote {PreVote}, check-quorum {CheckQuorum}, " +
        $"inflight {MaxInflightMessages}, append bytes {MaxBytesPerAppend}, drop {DropRate:P1}, duplicate {DuplicateRate:P1}, delay <= {MaxDelay} ms ({SlowRate:P1} up to ten times), " +
        $"snapshot every {SnapshotEvery}, a fault every ~{FaultInterval} ms, {Clients} clients on {Keys} keys" +
        (ReadOnly == ReadOnlyOption.Safe ? "" : $", {ReadOnly} reads") +
        (Flaw == HostFlaw.None ? "" : $", host flaw {Flaw}");
}
