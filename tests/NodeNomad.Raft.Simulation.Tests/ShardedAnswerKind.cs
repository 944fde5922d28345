namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>How a node answered one attempt of a routed client operation.</summary>
internal enum ShardedAnswerKind
{
    /// <summary>The node is down: nothing happened.</summary>
    Refused,

    /// <summary>Redirect: the node hosts no replica of the shard (any more, or yet): nothing happened.</summary>
    NotHosting,

    /// <summary>Redirect: the node knows a newer epoch of the shard than the client routed by: refresh the map.</summary>
    StaleEpoch,

    /// <summary>Redirect: the node's replica does not lead the shard (or dropped the proposal): try the hinted node.</summary>
    NotLeader,

    /// <summary>The write was applied at the index and term its proposal was given.</summary>
    Written,

    /// <summary>Another entry was applied at the proposal's index: the write certainly did not happen.</summary>
    Lost,

    /// <summary>The replica can no longer tell (a snapshot jumped over the index, or it was removed): the write may have happened.</summary>
    Unknown,

    /// <summary>A read was served.</summary>
    Read,
}
