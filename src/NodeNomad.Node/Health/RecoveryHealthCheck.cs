using Microsoft.Extensions.Diagnostics.HealthChecks;
using NodeNomad.Node.Shards;

namespace NodeNomad.Node.Health;

/// <summary>Healthy once the shard has recovered from its snapshot and log.</summary>
public sealed class RecoveryHealthCheck(ShardReplica shard) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(shard.Recovered
            ? HealthCheckResult.Healthy($"Recovered: last index {shard.LastIndex}, snapshot index {shard.SnapshotIndex}.")
            : HealthCheckResult.Unhealthy("Recovering the log."));
}
