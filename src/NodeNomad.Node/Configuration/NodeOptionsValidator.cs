using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace NodeNomad.Node.Configuration;

/// <summary>Checks <see cref="NodeOptions"/> at start so a misconfigured node refuses to run and says why.</summary>
public sealed partial class NodeOptionsValidator : IValidateOptions<NodeOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>(options.Problems);
        if (!NodeIdPattern().IsMatch(options.NodeId))
        {
            failures.Add($"{NodeOptions.Keys.NodeId}='{options.NodeId}' must be 1 to 64 letters, digits, '-', '_' or '.'.");
        }

        if (options.Port is < 0 or > 65535)
        {
            failures.Add($"{NodeOptions.Keys.Port}={options.Port} must be between 0 and 65535.");
        }

        if (string.IsNullOrWhiteSpace(options.Host))
        {
            failures.Add($"{NodeOptions.Keys.Host} must not be empty.");
        }

        if (options.Url is not null && !Uri.TryCreate(options.Url, UriKind.Absolute, out _))
        {
            failures.Add($"{NodeOptions.Keys.Url}='{options.Url}' is not an absolute URL.");
        }

        if (options.PeerHost is { } peerHost && Uri.CheckHostName(peerHost) is UriHostNameType.Unknown)
        {
            failures.Add($"{NodeOptions.Keys.PeerHost}='{peerHost}' is not a host name or an IP address.");
        }

        if (options.DataDir is { } dir && string.IsNullOrWhiteSpace(dir))
        {
            failures.Add($"{NodeOptions.Keys.DataDir} must not be empty.");
        }

        if (options.SnapshotEntries < 2)
        {
            failures.Add($"{NodeOptions.Keys.SnapshotEntries}={options.SnapshotEntries} must be at least 2.");
        }

        if (options.MaxBatchEntries is < 1 or > 65_536)
        {
            failures.Add($"{NodeOptions.Keys.MaxBatchEntries}={options.MaxBatchEntries} must be between 1 and 65536.");
        }

        if (options.PurgeIntervalMs is < 10 or > 3_600_000)
        {
            failures.Add($"{NodeOptions.Keys.PurgeIntervalMs}={options.PurgeIntervalMs} must be between 10 and 3600000.");
        }

        if (Contracts.TlsFiles.Problem(options.TlsCertFile, options.TlsKeyFile, options.TlsCaFile) is { } tls)
        {
            failures.Add(tls);
        }

        CheckCluster(options, failures);
        CheckStorage(options, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckCluster(NodeOptions options, List<string> failures)
    {
        if (options.PeerPort is { } peer && (peer is < 1 or > 65535 || peer == options.Port))
        {
            failures.Add($"{NodeOptions.Keys.PeerPort}={peer} must be between 1 and 65535 and differ from {NodeOptions.Keys.Port}.");
        }

        if (options.HeartbeatIntervalMs is < 5 or > 10_000)
        {
            failures.Add($"{NodeOptions.Keys.HeartbeatInterval}={options.HeartbeatIntervalMs} must be between 5 and 10000 milliseconds.");
        }
        else if (options.ElectionTimeoutMs < 3 * options.HeartbeatIntervalMs || options.ElectionTimeoutMs > 600_000)
        {
            failures.Add($"{NodeOptions.Keys.ElectionTimeout}={options.ElectionTimeoutMs} must be at least three heartbeats ({3 * options.HeartbeatIntervalMs} ms) and at most 600000.");
        }

        if (options.RequestTimeoutMs is < 100 or > 600_000)
        {
            failures.Add($"{NodeOptions.Keys.RequestTimeoutMs}={options.RequestTimeoutMs} must be between 100 and 600000.");
        }

        if (options.SnapshotBandwidthMiB is < 0 or > 100_000)
        {
            failures.Add($"{NodeOptions.Keys.SnapshotBandwidth}={options.SnapshotBandwidthMiB} must be between 0 (no limit) and 100000 MiB/s.");
        }

        if (options.MigrationStepTimeoutMs is < 1_000 or > 3_600_000)
        {
            failures.Add($"{NodeOptions.Keys.MigrationStepTimeout}={options.MigrationStepTimeoutMs} must be between 1000 and 3600000 milliseconds.");
        }

        if (options.DownAfterMs is < 1_000 or > 7L * 24 * 3_600_000)
        {
            failures.Add($"{NodeOptions.Keys.DownAfter}={options.DownAfterMs} ms must be between 1 s and 7 days.");
        }

        if (options.PlacementIntervalMs is < 100 or > 3_600_000)
        {
            failures.Add($"{NodeOptions.Keys.PlacementInterval}={options.PlacementIntervalMs} must be between 100 and 3600000 milliseconds.");
        }

        if (options.MaxConcurrentMoves is < 1 or > 64)
        {
            failures.Add($"{NodeOptions.Keys.MaxConcurrentMoves}={options.MaxConcurrentMoves} must be between 1 and 64.");
        }

        if (options.ShardCount is < 1 or > 4096)
        {
            failures.Add($"{NodeOptions.Keys.ShardCount}={options.ShardCount} must be between 1 and 4096.");
        }

        if (options.ReplicationFactor is < 1 or > 7)
        {
            failures.Add($"{NodeOptions.Keys.ReplicationFactor}={options.ReplicationFactor} must be between 1 and 7.");
        }

        if (options.Weight is < 1 or > 100)
        {
            failures.Add($"{NodeOptions.Keys.Weight}={options.Weight} must be between 1 and 100.");
        }

        if (options.ClusterNodes is null)
        {
            return;
        }

        var (members, problem) = Core.Cluster.ClusterMember.ParseList(options.ClusterNodes);
        if (problem is not null)
        {
            failures.Add($"{NodeOptions.Keys.ClusterNodes}='{options.ClusterNodes}': {problem}");
            return;
        }

        // A node that CLUSTER_NODES does not list joins the cluster those members formed.
        var self = members.FirstOrDefault(m => m.NodeId == options.NodeId);
        if (self is not null && options.PeerPort is { } configured && configured != self.PeerPort)
        {
            failures.Add($"{NodeOptions.Keys.PeerPort}={configured} differs from the port {NodeOptions.Keys.ClusterNodes} gives this node ({self.PeerPort}).");
        }

        if (options.ClusterSecret is { } secret && secret.Any(c => c is <= ' ' or > '~'))
        {
            failures.Add($"{NodeOptions.Keys.ClusterSecret} must be printable ASCII without spaces: it travels in an HTTP header.");
        }

        if ((members.Count > 1 || self is null) && (options.ClusterSecret is null || options.ClusterSecret.Length < 16))
        {
            failures.Add($"{NodeOptions.Keys.ClusterSecret} must be set to at least 16 characters when {NodeOptions.Keys.ClusterNodes} names other nodes: peers authenticate with it.");
        }
    }

    private static void CheckStorage(NodeOptions options, List<string> failures)
    {
        if (options.Storage is not (NodeOptions.FileStorage or NodeOptions.MartenStorage))
        {
            failures.Add($"{NodeOptions.Keys.Storage}='{options.Storage}' must be '{NodeOptions.FileStorage}' or '{NodeOptions.MartenStorage}'.");
            return;
        }

        if (options.Storage != NodeOptions.MartenStorage)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(options.MartenConnection))
        {
            failures.Add($"{NodeOptions.Keys.MartenConnection} must be set to a PostgreSQL connection string when {NodeOptions.Keys.Storage}={NodeOptions.MartenStorage}.");
        }
        else
        {
            try
            {
                _ = new Npgsql.NpgsqlConnectionStringBuilder(options.MartenConnection);
            }
            catch (ArgumentException e)
            {
                failures.Add($"{NodeOptions.Keys.MartenConnection} is not a valid PostgreSQL connection string: {e.Message}");
            }
        }

        if (!SchemaPattern().IsMatch(options.MartenSchema))
        {
            failures.Add($"{NodeOptions.Keys.MartenSchema}='{options.MartenSchema}' must be a PostgreSQL name: a lowercase letter or '_', then up to 62 lowercase letters, digits or '_'.");
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaPattern();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex NodeIdPattern();
}
