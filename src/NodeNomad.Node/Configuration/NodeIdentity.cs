using System.Reflection;

namespace NodeNomad.Node.Configuration;

/// <summary>Who this node is: its id, the cluster it belongs to, its version, and when it started.</summary>
public sealed class NodeIdentity
{
    private const string ClusterIdFile = "cluster-id";

    private NodeIdentity(string nodeId, string clusterId, string clientUrl, DateTimeOffset startedAt)
    {
        NodeId = nodeId;
        ClusterId = clusterId;
        ClientUrl = clientUrl;
        StartedAt = startedAt;
    }

    /// <summary>The node's id.</summary>
    public string NodeId { get; }

    /// <summary>The cluster's id, chosen when the node's data folder was first used and kept there.</summary>
    public string ClusterId { get; }

    /// <summary>Where the node serves its REST API.</summary>
    public string ClientUrl { get; }

    /// <summary>When this process started.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>The NodeNomad version running.</summary>
    public static string Version { get; } =
        typeof(NodeIdentity).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Reads (or on first start, writes) the cluster id in the data folder.</summary>
    public static NodeIdentity Load(NodeOptions options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        var dir = options.EffectiveDataDir;
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, ClusterIdFile);
        string clusterId;
        if (File.Exists(path))
        {
            clusterId = File.ReadAllText(path).Trim();
        }
        else
        {
            clusterId = Guid.NewGuid().ToString("N");
            var temp = path + ".tmp";
            File.WriteAllText(temp, clusterId);
            File.Move(temp, path, overwrite: true);
        }

        return new NodeIdentity(options.NodeId, clusterId, options.EffectiveUrl, clock.GetUtcNow());
    }
}
