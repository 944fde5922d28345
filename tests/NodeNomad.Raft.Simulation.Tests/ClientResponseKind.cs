namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>How one attempt of a client operation ended.</summary>
internal enum ClientResponseKind
{
    /// <summary>The replica is down: nothing happened; try another.</summary>
    Refused,

    /// <summary>The replica dropped the proposal (it does not lead): nothing happened; try the hinted leader.</summary>
    NotLeader,

    /// <summary>The write was applied at the index and term its proposal was given.</summary>
    Written,

    /// <summary>Another entry was applied at the proposal's index: the write certainly did not happen.</summary>
    Lost,

    /// <summary>The replica can no longer tell (it installed a snapshot over the index): the write may have happened.</summary>
    Unknown,

    /// <summary>A read was served.</summary>
    Read,
}
