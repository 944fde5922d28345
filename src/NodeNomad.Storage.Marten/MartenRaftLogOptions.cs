namespace NodeNomad.Storage.Marten;

/// <summary>Settings of a <see cref="MartenRaftLog"/> that opens its own document store.</summary>
public sealed record MartenRaftLogOptions
{
    /// <summary>The default PostgreSQL schema of the log's tables.</summary>
    public const string DefaultSchemaName = "nodenomad";

    /// <summary>The PostgreSQL connection string.</summary>
    public required string ConnectionString { get; init; }

    /// <summary>
    /// The PostgreSQL schema that holds the log's tables. Clusters that share one database use different schemas.
    /// </summary>
    public string SchemaName { get; init; } = DefaultSchemaName;

    /// <summary>The node identity whose log this is: one event stream (per generation) and one set of snapshots.</summary>
    public required string NodeId { get; init; }

    /// <summary>
    /// A folder of this log's own where recovery puts the snapshots it reads back from PostgreSQL (a snapshot is read
    /// from a file, never held whole in memory); emptied by every recovery. Null: a new folder under the system's
    /// temporary folder, deleted when the log is disposed.
    /// </summary>
    public string? SnapshotDirectory { get; init; }

    /// <summary>
    /// Whether Marten creates or updates its tables when first used (development). Turned off in production,
    /// where the schema is applied beforehand with <see cref="MartenRaftLog.ApplySchemaAsync"/>.
    /// </summary>
    public bool AutoCreateSchema { get; init; } = true;
}
