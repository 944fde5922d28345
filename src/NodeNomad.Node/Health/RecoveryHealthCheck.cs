using Microsoft.Extensions.Diagnostics.HealthChecks;
using NodeNomad.Node.Shards;

namespace NodeNomad.Node.Health;

/// <summary>Healthy once the shard has recovered from its snapshot and log and knows a leader (it can serve).</summary>
public sealed class RecoveryHealthCheck(ShardReplica shard) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(!shard.Recovered
            ? HealthCheckResult.Unhealthy("Recovering the log.")
            : shard.Status.LeaderId is null
                ? HealthCheckResult.Unhealthy($"Recovered (last index {shard.Status.LastIndex}) but no leader is known: an election is in progress or no quorum is reachable.")
                : HealthCheckResult.Healthy($"Recovered: last index {shard.Status.LastIndex}, snapshot index {shard.SnapshotIndex}; {shard.Status.LeaderId} leads term {shard.Status.Term}."));
}
