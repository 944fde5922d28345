namespace NodeNomad.Storage.Tests.Marten.Snapshots;

/// <summary>Runs <see cref="MartenSnapshotMemoryTests"/> after the parallel tests, alone, so the allocations it measures are its own.</summary>
[CollectionDefinition(nameof(MartenSnapshotMemoryTests), DisableParallelization = true)]
public sealed class MeasuredAlone;
