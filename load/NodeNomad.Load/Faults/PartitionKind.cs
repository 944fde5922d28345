namespace NodeNomad.Load.Faults;

/// <summary>Which links a <see cref="Partition"/> cuts, around its node A.</summary>
internal enum PartitionKind
{
    /// <summary>A reaches no one and no one reaches A.</summary>
    Isolate,

    /// <summary>A's connections to the others are dropped; theirs to A still work (A answers, cannot call).</summary>
    OneWay,

    /// <summary>A sees both others, who do not see each other: A is the only bridge between them.</summary>
    Bridge,
}
