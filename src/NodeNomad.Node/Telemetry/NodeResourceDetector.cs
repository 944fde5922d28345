using Microsoft.Extensions.Options;
using NodeNomad.Node.Configuration;
using OpenTelemetry.Resources;

namespace NodeNomad.Node.Telemetry;

/// <summary>
/// The telemetry resource of a node: <c>service.name</c> <see cref="ServiceName"/>, the version, and the node id as
/// <c>service.instance.id</c> and <see cref="NodeIdAttribute"/> (Prometheus shows them in <c>target_info</c>).
/// Read from the bound options, so the node id is the one the node runs with, however it was configured.
/// </summary>
public sealed class NodeResourceDetector(IOptions<NodeOptions> options) : IResourceDetector
{
    /// <summary>The OpenTelemetry <c>service.name</c> of every node.</summary>
    public const string ServiceName = "nodenomad-node";

    /// <summary>The resource attribute that names the node.</summary>
    public const string NodeIdAttribute = "nodenomad.node.id";

    /// <inheritdoc />
    public Resource Detect()
    {
        var nodeId = options.Value.NodeId;
        return new Resource(new Dictionary<string, object>
        {
            ["service.name"] = ServiceName,
            ["service.version"] = NodeIdentity.Version,
            ["service.instance.id"] = nodeId,
            [NodeIdAttribute] = nodeId,
        });
    }
}
