namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>What a node tells a simulated client about one attempt of an operation.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="LeaderNode">For <see cref="ShardedAnswerKind.NotLeader"/>, the node the replica thinks leads (0: unknown).</param>
/// <param name="Succeeded">For a write, whether a compare-and-set wrote.</param>
/// <param name="Value">For a read, the value (null: absent).</param>
internal sealed record ShardedAnswer(ShardedAnswerKind Kind, ulong LeaderNode = 0, bool Succeeded = true, string? Value = null)
{
    public static ShardedAnswer Refused { get; } = new(ShardedAnswerKind.Refused);

    public static ShardedAnswer NotHosting { get; } = new(ShardedAnswerKind.NotHosting);

    public static ShardedAnswer StaleEpoch { get; } = new(ShardedAnswerKind.StaleEpoch);

    public static ShardedAnswer Lost { get; } = new(ShardedAnswerKind.Lost);

    public static ShardedAnswer Unknown { get; } = new(ShardedAnswerKind.Unknown);
}
