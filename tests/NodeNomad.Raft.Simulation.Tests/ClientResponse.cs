namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>What a replica tells a simulated client about one attempt of an operation.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="LeaderHint">For <see cref="ClientResponseKind.NotLeader"/>, who the replica thinks leads (0: nobody).</param>
/// <param name="Succeeded">For a write, whether a compare-and-set wrote.</param>
/// <param name="Value">For a read, the value (null: absent).</param>
internal sealed record ClientResponse(ClientResponseKind Kind, ulong LeaderHint = 0, bool Succeeded = true, string? Value = null)
{
    public static ClientResponse Refused { get; } = new(ClientResponseKind.Refused);

    public static ClientResponse Lost { get; } = new(ClientResponseKind.Lost);

    public static ClientResponse Unknown { get; } = new(ClientResponseKind.Unknown);
}
