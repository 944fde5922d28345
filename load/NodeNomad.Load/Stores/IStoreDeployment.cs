namespace NodeNomad.Load.Stores;

/// <summary>A store this program started for a scenario; disposing it stops every process and removes its data.</summary>
internal interface IStoreDeployment : IAsyncDisposable
{
    IKeyValueStore Store { get; }

    /// <summary>What was started, for the report: members, shards, replication.</summary>
    string Description { get; }

    /// <summary>Each member's id and client URL.</summary>
    IReadOnlyList<(string Id, Uri Url)> Members { get; }

    /// <summary>The members that no longer answer their liveness probe: a crash, when the scenario stopped none.</summary>
    Task<IReadOnlyList<string>> FindSilentMembersAsync(CancellationToken cancellationToken);
}
