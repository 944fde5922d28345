using NodeNomad.Core.Cluster;

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

        /// <summary>Where a node without <see cref="NodeId"/> takes its id from: <c>hostname</c> or <c>dns:PATTERN</c> (see <see cref="HostIdentity"/>).</summary>
        public const string NodeIdFrom = "NODE_ID_FROM";

        /// <summary>The host other nodes reach this node's peer port at, when <see cref="ClusterNodes"/> does not list it.</summary>
        public const string PeerHost = "PEER_HOST";

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

        /// <summary>Port of the peer API (Raft traffic, forwarded requests): HTTP/2 cleartext only.</summary>
        public const string PeerPort = "PEER_PORT";

        /// <summary>The cluster's initial members: <c>id=host:peerPort,...</c>.</summary>
        public const string ClusterNodes = "CLUSTER_NODES";

        /// <summary>The secret every peer request carries.</summary>
        public const string ClusterSecret = "CLUSTER_SECRET";

        /// <summary>Raft's tick, in milliseconds: a leader heartbeats once per tick.</summary>
        public const string HeartbeatInterval = "HEARTBEAT_INTERVAL";

        /// <summary>Milliseconds without a leader before a follower campaigns (randomized up to twice this).</summary>
        public const string ElectionTimeout = "ELECTION_TIMEOUT";

        /// <summary>Milliseconds a migration may stay in one step before the shard's leader undoes it (before its swap).</summary>
        public const string MigrationStepTimeout = "MIGRATION_STEP_TIMEOUT_MS";

        /// <summary>How long the meta leader must not hear from a node before its replicas are re-created elsewhere: milliseconds, or a number with ms, s, m or h.</summary>
        public const string DownAfter = "DOWN_AFTER";

        /// <summary>Milliseconds between the placement driver's rounds (drain, join, repair).</summary>
        public const string PlacementInterval = "PLACEMENT_INTERVAL_MS";

        /// <summary>The most migrations in flight at once beside which the placement driver starts moves.</summary>
        public const string MaxConcurrentMoves = "MAX_CONCURRENT_MOVES";

        /// <summary>The most snapshot data a node sends per second, in MiB (0 for no limit).</summary>
        public const string SnapshotBandwidth = "SNAPSHOT_BANDWIDTH_MIB";

        /// <summary>How long a request waits for consensus before it answers 503.</summary>
        public const string RequestTimeoutMs = "REQUEST_TIMEOUT_MS";

        /// <summary>Where the Raft log lives: <c>file</c> (under the data folder) or <c>marten</c> (PostgreSQL).</summary>
        public const string Storage = "STORAGE";

        /// <summary>The PostgreSQL connection string of the <c>marten</c> storage.</summary>
        public const string MartenConnection = "MARTEN_CONNECTION";

        /// <summary>Shards a new cluster cuts the key space into.</summary>
        public const string ShardCount = "SHARD_COUNT";

        /// <summary>Replicas per shard of a new cluster (capped at the number of members).</summary>
        public const string ReplicationFactor = "REPLICATION_FACTOR";

        /// <summary>This node's capacity relative to others: placement gives it replicas in proportion.</summary>
        public const string Weight = "NODE_WEIGHT";

        /// <summary>The PostgreSQL schema of the <c>marten</c> storage; clusters sharing a database use different ones.</summary>
        public const string MartenSchema = "MARTEN_SCHEMA";

        /// <summary>Whether the node creates or updates the Marten schema at start (<c>true</c>/<c>false</c>).</summary>
        public const string MartenAutoCreate = "MARTEN_AUTO_CREATE";

        /// <summary>The PEM certificate the client and peer ports serve; with it, both speak TLS only.</summary>
        public const string TlsCertFile = Contracts.TlsFiles.CertFileKey;

        /// <summary>The PEM private key of <see cref="TlsCertFile"/>.</summary>
        public const string TlsKeyFile = Contracts.TlsFiles.KeyFileKey;

        /// <summary>The PEM certificate of the authority whose certificates this node trusts on its peers (else the machine's roots).</summary>
        public const string TlsCaFile = Contracts.TlsFiles.CaFileKey;
    }

    /// <summary>The <see cref="Storage"/> value that keeps the log in files under the data folder.</summary>
    public const string FileStorage = "file";

    /// <summary>The <see cref="Storage"/> value that keeps the log in PostgreSQL through Marten.</summary>
    public const string MartenStorage = "marten";

    /// <summary>The node's identity; letters, digits, '-', '_' and '.'.</summary>
    public string NodeId { get; set; } = "node-1";

    /// <summary>Where the id comes from when <c>NODE_ID</c> is not set (<see cref="HostIdentity"/>); null for the default id.</summary>
    public string? NodeIdFrom { get; set; }

    /// <summary>Whether <c>NODE_ID</c> was set (it wins over <see cref="NodeIdFrom"/>).</summary>
    public bool NodeIdConfigured { get; private set; }

    /// <summary>The host other nodes reach the peer port at when <see cref="ClusterNodes"/> does not list this node; by default <see cref="Host"/>, or the node id when that binds every interface.</summary>
    public string? PeerHost { get; set; }

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

    /// <summary>Port of the peer API; by default the one <see cref="ClusterNodes"/> gives this node, else <see cref="Port"/> + 1000.</summary>
    public int? PeerPort { get; set; }

    /// <summary>The cluster's initial members as configured, or null for a cluster of this node alone.</summary>
    public string? ClusterNodes { get; set; }

    /// <summary>The shared secret of peer requests; required when the cluster has other members.</summary>
    public string? ClusterSecret { get; set; }

    /// <summary>Raft's tick in milliseconds.</summary>
    public int HeartbeatIntervalMs { get; set; } = 100;

    /// <summary>Election timeout in milliseconds.</summary>
    public int ElectionTimeoutMs { get; set; } = 1000;

    /// <summary>How long a migration may stay in one step, in milliseconds.</summary>
    public int MigrationStepTimeoutMs { get; set; } = 60_000;

    /// <summary>Milliseconds of silence after which a node's replicas are re-created elsewhere (<c>DOWN_AFTER</c>; default 5 minutes).</summary>
    public long DownAfterMs { get; set; } = 300_000;

    /// <summary>Milliseconds between the placement driver's rounds.</summary>
    public int PlacementIntervalMs { get; set; } = 3_000;

    /// <summary>The most migrations in flight at once for the placement driver.</summary>
    public int MaxConcurrentMoves { get; set; } = 2;

    /// <summary>
    /// The most snapshot data this node sends per second, over all its peers, in MiB; 0 for no limit. Moving a replica
    /// sends its shard as a snapshot, and the limit keeps room for client traffic meanwhile.
    /// </summary>
    public int SnapshotBandwidthMiB { get; set; } = 64;

    /// <summary>How long a request waits for consensus.</summary>
    public int RequestTimeoutMs { get; set; } = 5000;

    /// <summary>Where the Raft log lives: <see cref="FileStorage"/> or <see cref="MartenStorage"/>.</summary>
    public string Storage { get; set; } = FileStorage;

    /// <summary>The PostgreSQL connection string; required when <see cref="Storage"/> is <see cref="MartenStorage"/>.</summary>
    public string? MartenConnection { get; set; }

    /// <summary>The PostgreSQL schema of the log's tables.</summary>
    public string MartenSchema { get; set; } = "nodenomad";

    /// <summary>Whether the node creates or updates the Marten schema at start; off in production, where <c>apply-schema</c> runs first.</summary>
    public bool MartenAutoCreate { get; set; } = true;

    /// <summary>Shards a new cluster starts with.</summary>
    public int ShardCount { get; set; } = 8;

    /// <summary>Replicas per shard a new cluster is created with.</summary>
    public int ReplicationFactor { get; set; } = 3;

    /// <summary>This node's placement weight.</summary>
    public int Weight { get; set; } = 1;

    /// <summary>The certificate file the client and peer ports serve, or null for plain HTTP on both.</summary>
    public string? TlsCertFile { get; set; }

    /// <summary>The private key file of <see cref="TlsCertFile"/>.</summary>
    public string? TlsKeyFile { get; set; }

    /// <summary>The authority trusted on peers' certificates, or null for the machine's trusted roots.</summary>
    public string? TlsCaFile { get; set; }

    /// <summary>Whether the node's ports speak TLS (every node of a cluster must agree: peers are called over https).</summary>
    public bool Tls => TlsCertFile is not null;

    /// <summary>Values that were present but did not parse.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>The data folder in effect.</summary>
    public string EffectiveDataDir => Path.GetFullPath(DataDir ?? Path.Combine("data", NodeId));

    /// <summary>The client URL in effect.</summary>
    public string EffectiveUrl => Url ?? $"{(Tls ? "https" : "http")}://{(Host is "0.0.0.0" or "*" or "::" ? "localhost" : Host)}:{Port}";

    /// <summary>Reads the settings from configuration (environment variables included).</summary>
    public void Bind(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        NodeIdFrom = configuration[Keys.NodeIdFrom] is { Length: > 0 } from ? from.Trim() : NodeIdFrom;
        // With NODE_ID_FROM, an empty NODE_ID counts as unset, so one service definition can clear an inherited one.
        NodeIdConfigured = configuration[Keys.NodeId] is { } id && (id.Length > 0 || NodeIdFrom is null);
        NodeId = NodeIdConfigured ? configuration[Keys.NodeId]! : NodeId;
        PeerHost = configuration[Keys.PeerHost] is { Length: > 0 } peerHost ? peerHost.Trim() : PeerHost;
        Host = configuration[Keys.Host] ?? Host;
        Url = configuration[Keys.Url] ?? Url;
        DataDir = configuration[Keys.DataDir] ?? DataDir;
        Port = Integer(configuration, Keys.Port, Port);
        SnapshotEntries = Integer(configuration, Keys.SnapshotEntries, SnapshotEntries);
        MaxBatchEntries = Integer(configuration, Keys.MaxBatchEntries, MaxBatchEntries);
        PurgeIntervalMs = Integer(configuration, Keys.PurgeIntervalMs, PurgeIntervalMs);
        PeerPort = configuration[Keys.PeerPort] is null ? PeerPort : Integer(configuration, Keys.PeerPort, 0);
        ClusterNodes = configuration[Keys.ClusterNodes] is { Length: > 0 } nodes ? nodes : ClusterNodes;
        ClusterSecret = configuration[Keys.ClusterSecret] is { Length: > 0 } secret ? secret : ClusterSecret;
        HeartbeatIntervalMs = Integer(configuration, Keys.HeartbeatInterval, HeartbeatIntervalMs);
        ElectionTimeoutMs = Integer(configuration, Keys.ElectionTimeout, ElectionTimeoutMs);
        RequestTimeoutMs = Integer(configuration, Keys.RequestTimeoutMs, RequestTimeoutMs);
        MigrationStepTimeoutMs = Integer(configuration, Keys.MigrationStepTimeout, MigrationStepTimeoutMs);
        DownAfterMs = configuration[Keys.DownAfter] is { Length: > 0 } downAfter ? Duration(Keys.DownAfter, downAfter, DownAfterMs) : DownAfterMs;
        PlacementIntervalMs = Integer(configuration, Keys.PlacementInterval, PlacementIntervalMs);
        MaxConcurrentMoves = Integer(configuration, Keys.MaxConcurrentMoves, MaxConcurrentMoves);
        SnapshotBandwidthMiB = Integer(configuration, Keys.SnapshotBandwidth, SnapshotBandwidthMiB);
        ShardCount = Integer(configuration, Keys.ShardCount, ShardCount);
        ReplicationFactor = Integer(configuration, Keys.ReplicationFactor, ReplicationFactor);
        Weight = Integer(configuration, Keys.Weight, Weight);
        Storage = configuration[Keys.Storage] is { Length: > 0 } storage ? storage.Trim().ToLowerInvariant() : Storage;
        MartenConnection = configuration[Keys.MartenConnection] is { Length: > 0 } connection ? connection : MartenConnection;
        MartenSchema = configuration[Keys.MartenSchema] is { Length: > 0 } schema ? schema : MartenSchema;
        TlsCertFile = configuration[Keys.TlsCertFile] is { Length: > 0 } certFile ? certFile : TlsCertFile;
        TlsKeyFile = configuration[Keys.TlsKeyFile] is { Length: > 0 } keyFile ? keyFile : TlsKeyFile;
        TlsCaFile = configuration[Keys.TlsCaFile] is { Length: > 0 } caFile ? caFile : TlsCaFile;
        MartenAutoCreate = configuration[Keys.MartenAutoCreate] switch
        {
            null or "" => MartenAutoCreate,
            var raw when bool.TryParse(raw, out var value) => value,
            var raw => Invalid(Keys.MartenAutoCreate, raw, "is not true or false", MartenAutoCreate),
        };
    }

    /// <summary>
    /// The cluster's members: those of <see cref="ClusterNodes"/>, or this node alone on its peer port.
    /// Empty when <see cref="ClusterNodes"/> does not parse (the validator reports why).
    /// </summary>
    public IReadOnlyList<ClusterMember> Members()
    {
        if (ClusterNodes is null)
        {
            return [new ClusterMember(NodeId, PeerBindHost, PeerPort ?? (Port + 1000))];
        }

        return ClusterMember.ParseList(ClusterNodes).Members;
    }

    /// <summary>The peer port in effect.</summary>
    public int EffectivePeerPort => PeerPort ?? Members().FirstOrDefault(m => m.NodeId == NodeId)?.PeerPort ?? (Port + 1000);

    /// <summary>The peer address other nodes reach this one at (<c>host:port</c>).</summary>
    public string AdvertisedPeerAddress => Members().FirstOrDefault(m => m.NodeId == NodeId) is { } listed
        ? $"{listed.PeerHost}:{listed.PeerPort}"
        : $"{PeerHost ?? (Host is "0.0.0.0" or "*" or "::" ? NodeId : Host)}:{EffectivePeerPort}";

    private string PeerBindHost => Host is "0.0.0.0" or "*" or "::" ? "localhost" : Host;

    /// <summary>Milliseconds from "30000", "30000ms", "30s", "5m" or "1h".</summary>
    private long Duration(string key, string raw, long fallback)
    {
        var text = raw.Trim().ToLowerInvariant();
        var (digits, scale) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 1L)
            : text.EndsWith('s') ? (text[..^1], 1_000L)
            : text.EndsWith('m') ? (text[..^1], 60_000L)
            : text.EndsWith('h') ? (text[..^1], 3_600_000L)
            : (text, 1L);
        return long.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value <= long.MaxValue / scale
            ? value * scale
            : Invalid(key, raw, "is not a duration (milliseconds, or a number with ms, s, m or h)", fallback);
    }

    private T Invalid<T>(string key, string raw, string reason, T fallback)
    {
        Problems.Add($"{key}='{raw}' {reason}.");
        return fallback;
    }

    /// <summary>The Marten log's settings.</summary>
    public Storage.Marten.MartenRaftLogOptions MartenLogOptions() => new()
    {
        ConnectionString = MartenConnection!,
        SchemaName = MartenSchema,
        NodeId = NodeId,
        AutoCreateSchema = MartenAutoCreate,

        // Scratch space: recovered snapshots are read back from PostgreSQL into files here, never held whole.
        SnapshotDirectory = Path.Combine(EffectiveDataDir, "marten-snapshots"),
    };

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
