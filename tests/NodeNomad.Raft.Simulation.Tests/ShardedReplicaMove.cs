namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>A shard replica moving from one node to another, as the simulation's placement driver runs it.</summary>
/// <param name="Shard">The shard.</param>
/// <param name="SourceNode">The node losing its replica.</param>
/// <param name="SourcePeer">That replica's Raft id.</param>
/// <param name="TargetNode">The node gaining one.</param>
/// <param name="TargetPeer">The new replica's Raft id.</param>
/// <param name="Epoch">The shard's epoch when the move started; the meta command applies only at it.</param>
internal sealed record ShardedReplicaMove(int Shard, ulong SourceNode, ulong SourcePeer, ulong TargetNode, ulong TargetPeer, ulong Epoch)
{
    public ShardedMoveStep Step { get; set; }

    /// <summary>Whether a leading source hands leadership off first (else it removes itself while leading).</summary>
    public required bool HandsOff { get; init; }

    /// <summary>When the current step may propose again (an earlier proposal may have been dropped or lost).</summary>
    public long RetryAt { get; set; }

    public int HandOffAttempts { get; set; }

    public long StartedAt { get; init; }

    public override string ToString() =>
        $"shard {Shard} from n{SourceNode}:{SourcePeer} to n{TargetNode}:{TargetPeer} at epoch {Epoch}, started at t={StartedAt}, step {Step}";
}
