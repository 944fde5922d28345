namespace NodeNomad.Launcher.Tests;

/// <summary>
/// The tests that launch a cluster run one after another: several clusters at once on a small, busy machine would
/// slow every one of them past its deadlines.
/// </summary>
[CollectionDefinition(Name)]
public sealed class LaunchedClusters
{
    public const string Name = "Launched clusters";
}
