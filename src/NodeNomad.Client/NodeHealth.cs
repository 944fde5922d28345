namespace NodeNomad.Client;

/// <summary>Body of <c>GET /health</c>, served with 200 when healthy or degraded and 503 when unhealthy.</summary>
/// <param name="Status">The node's overall health: the worst of its checks.</param>
/// <param name="Checks">The checks that make it up.</param>
public sealed record NodeHealth(NodeHealthStatus Status, IReadOnlyList<NodeHealthCheck> Checks);
