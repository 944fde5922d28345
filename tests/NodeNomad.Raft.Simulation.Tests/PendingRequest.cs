namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>A client's attempt waiting at a replica: a proposal for its applied entry, or a read for its ReadState.</summary>
/// <param name="Client">Who is waiting.</param>
/// <param name="Attempt">Which attempt of the client's current operation (older attempts' answers are ignored).</param>
/// <param name="Term">For a proposal, the term it was given.</param>
/// <param name="CommandId">For a proposal, its command.</param>
/// <param name="Key">For a read, the key to read.</param>
/// <param name="AppliedBefore">For a read, the highest index any replica had applied when it was requested.</param>
internal sealed record PendingRequest(SimulatedClient Client, int Attempt, ulong Term = 0, ulong CommandId = 0, string Key = "", ulong AppliedBefore = 0);
