namespace NodeNomad.Node.Configuration;

/// <summary>
/// A node's settings, read from environment variables (the names in <see cref="Keys"/>). Values that do not
/// parse are recorded in <see cref="Problems"/> so that start-up fails with every reason at once.
/// </summary>
public sealed class NodeOptions
{
    /// <summary>The environment variable names.</summary>
    public static class Keys
    {
        /// <summary>The node's identity.</summary>
        public const string NodeId = "NODE_ID";

        /// <summary>Address the client API listens on.</summary>
        public const string Host = "NODE_HOST";

        /// <summary>Port of the client API.</summary>
        public const string Port = "NODE_PORT";

        /// <summary>URL other parties use to reach the client API.</summary>
        public const string Url = "NODE_URL";

        /// <summary>Folder of the node's durable state.</summary>
        public const string DataDir = "DATA_DIR";

        /// <summary>Log entries after which the node snapshots its state and drops the log before it.</summary>
        public const string SnapshotEntries = "SNAPSHOT_ENTRIES";

        /// <summary>Most commands made durable in one batch.</summary>
        public const string MaxBatchEntries = "MAX_BATCH_ENTRIES";

        /// <summary>How often expired keys are purged, in milliseconds.</summary>
        public const string PurgeIntervalMs = "PURGE_INTERVAL_MS";
    }

    /// <summary>The node's identity; letters, digits, '-', '_' and '.'.</summary>
    public string NodeId { get; set; } = "node-1";

    /// <summary>Address the client API binds to: a host name, an IP, or 0.0.0.0 for every interface.</summary>
    public string Host { get; set; } = "localhost";

    /// <summary>Port of the client API.</summary>
    public int Port { get; set; } = 3001;

    /// <summary>URL others use to reach the client API; by default built from <see cref="Host"/> and <see cref="Port"/>.</summary>
    public string? Url { get; set; }

    /// <summary>Folder of the node's durable state; by default <c>./data/{NodeId}</c>.</summary>
    public string? DataDir { get; set; }

    /// <summary>Log entries after which the node snapshots its state.</summary>
    public int SnapshotEntries { get; set; } = 10_000;

    /// <summary>Most commands made durable in one batch (one fsync).</summary>
    public int MaxBatchEntries { get; set; } = 1024;

    /// <summary>How often expired keys are purged.</summary>
    public int PurgeIntervalMs { get; set; } = 1000;

    /// <summary>Values that were present but did not parse.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>The data folder in effect.</summary>
    public string EffectiveDataDir => Path.GetFullPath(DataDir ?? Path.Combine("data", NodeId));

    /// <summary>The client URL in effect.</summary>
    public string EffectiveUrl => Url ?? $"http://{(Host is "0.0.0.0" or "*" or "::" ? "localhost" : Host)}:{Port}";

    /// <summary>Reads the settings from configuration (environment variables included).</summary>
    public void Bind(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        NodeId = configuration[Keys.NodeId] ?? NodeId;
        Host = configuration[Keys.Host] ?? Host;
        Url = configuration[Keys.Url] ?? Url;
        DataDir = configuration[Keys.DataDir] ?? DataDir;
        Port = Integer(configuration, Keys.Port, Port);
        SnapshotEntries = Integer(configuration, Keys.SnapshotEntries, SnapshotEntries);
        MaxBatchEntries = Integer(configuration, Keys.MaxBatchEntries, MaxBatchEntries);
        PurgeIntervalMs = Integer(configuration, Keys.PurgeIntervalMs, PurgeIntervalMs);
    }

    private int Integer(IConfiguration configuration, string key, int fallback)
    {
        var raw = configuration[key];
        if (raw is null)
        {
            return fallback;
        }

        if (int.TryParse(raw, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Problems.Add($"{key}='{raw}' is not a whole number.");
        return fallback;
    }
}
