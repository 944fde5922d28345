using Microsoft.Extensions.Diagnostics.HealthChecks;
using NodeNomad.Node.Shards;

namespace NodeNomad.Node.Health;

/// <summary>
/// Ready once the node recovered its log, applied a cluster map, and every group it hosts knows its leader (so
/// each of its replicas can serve or forward).
/// </summary>
public sealed class RecoveryHealthCheck(ReplicaHost host) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!host.Recovered)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Recovering the log."));
        }

        if (host.Meta.Status.LeaderId is null)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("No meta group leader is known: an election is in progress or no quorum is reachable."));
        }

        if (!host.Map.IsBootstrapped)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The cluster is being created: no shard map yet."));
        }

        var leaderless = host.Shards.Values.Where(s => s.Status.LeaderId is null).Select(s => s.ShardId).Order().ToList();
        return Task.FromResult(leaderless.Count > 0
            ? HealthCheckResult.Unhealthy($"No leader is known for shards {string.Join(", ", leaderless)} held here: an election is in progress or no quorum is reachable.")
            : HealthCheckResult.Healthy($"Recovered; {host.Meta.Status.LeaderId} leads the meta group; every one of the {host.Shards.Count} shard replicas here knows its leader."));
    }
}
