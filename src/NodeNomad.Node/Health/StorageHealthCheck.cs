using Microsoft.Extensions.Diagnostics.HealthChecks;
using NodeNomad.Node.Configuration;
using NodeNomad.Node.Shards;

namespace NodeNomad.Node.Health;

/// <summary>
/// Healthy when the log has not failed and, with file storage, the data folder takes a write. With Marten storage
/// the log lives in PostgreSQL (its failures surface as a failed batch), so the data folder is not probed.
/// </summary>
public sealed class StorageHealthCheck(ReplicaHost shard, Microsoft.Extensions.Options.IOptions<NodeOptions> nodeOptions) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (shard.Failure is { } failure)
        {
            return HealthCheckResult.Unhealthy($"The log failed to make a batch durable: {failure.Message}");
        }

        var options = nodeOptions.Value;
        var log = shard.LogStatistics;
        if (options.Storage == NodeOptions.MartenStorage)
        {
            return HealthCheckResult.Healthy(
                $"Log in PostgreSQL (schema {options.MartenSchema}): {log.Bytes} bytes in {log.Batches} batches; last save {log.LastSyncMilliseconds:F2} ms.");
        }

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

        return HealthCheckResult.Healthy($"Log: {log.Bytes} bytes in {log.Segments} segments; last sync {log.LastSyncMilliseconds:F2} ms.");
    }
}
