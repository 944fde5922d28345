namespace NodeNomad.Node.Tests;

/// <summary>Tests that start whole clusters of processes run one after another: on two cores, two clusters at once would make their timing claims about the machine, not about NodeNomad.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LocalClusters
{
    public const string Name = "local clusters";
}
