namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>The writes a simulated client logs; reads go through ReadIndex, never through the log.</summary>
internal enum KvCommandKind : byte
{
    Put = 1,
    CompareAndSet = 2,
}
