using Microsoft.Extensions.Diagnostics.HealthChecks;
using NodeNomad.Node.Configuration;
using NodeNomad.Node.Shards;

namespace NodeNomad.Node.Health;

/// <summary>Healthy when the data folder takes a write and the log has not failed.</summary>
public sealed class StorageHealthCheck(ShardReplica shard, Microsoft.Extensions.Options.IOptions<NodeOptions> nodeOptions) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (shard.Failure is { } failure)
        {
            return HealthCheckResult.Unhealthy($"The log failed to make a batch durable: {failure.Message}");
        }

        var options = nodeOptions.Value;
        var probe = Path.Combine(options.EffectiveDataDir, ".health-probe");
        try
        {
            await File.WriteAllTextAsync(probe, "ok", cancellationToken);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return HealthCheckResult.Unhealthy($"The data folder {options.EffectiveDataDir} is not writable: {e.Message}");
        }

        var log = shard.LogStatistics;
        return HealthCheckResult.Healthy($"Log: {log.Bytes} bytes in {log.Segments} segments; last sync {log.LastSyncMilliseconds:F2} ms.");
    }
}
