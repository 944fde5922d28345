namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>
/// A deliberate mistake in the simulated host, to show that the simulator's checks catch real mistakes
/// (a simulator that passes a broken system proves nothing).
/// </summary>
public enum HostFlaw
{
    /// <summary>The host follows Ready's contract.</summary>
    None,

    /// <summary>
    /// Sends a Ready's messages (votes, acknowledgements) before its entries and hard state are durable, and
    /// writes them to disk only some time later: a crash in between forgets what the replica promised.
    /// </summary>
    AcknowledgesBeforePersisting,

    /// <summary>Answers a get from the contacted replica's state machine at once, without ReadIndex.</summary>
    ServesReadsWithoutReadIndex,
}
