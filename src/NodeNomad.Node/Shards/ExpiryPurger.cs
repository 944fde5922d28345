using Microsoft.Extensions.Options;
using NodeNomad.Core.KeyValue;
using NodeNomad.Node.Runtime;
using NodeNomad.Node.Configuration;

namespace NodeNomad.Node.Shards;

/// <summary>
/// Proposes a purge in each shard this node leads when it holds keys past their expiry. Expired keys are already
/// invisible to reads; the purge, a logged command, is what frees their space on every replica alike.
/// </summary>
public sealed partial class ExpiryPurger(ReplicaHost host, IOptions<NodeOptions> options, TimeProvider clock, ILogger<ExpiryPurger> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.PurgeIntervalMs), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await PurgeOnceAsync(stoppingToken);
        }
    }

    /// <summary>Purges every led shard holding expired keys; returns how many keys were removed.</summary>
    public async Task<int> PurgeOnceAsync(CancellationToken cancellationToken)
    {
        var purged = 0;
        foreach (var shard in host.Shards.Values)
        {
            purged += await PurgeAsync(shard, cancellationToken);
        }

        return purged;
    }

    private async Task<int> PurgeAsync(ShardReplica shard, CancellationToken cancellationToken)
    {
        var earliest = shard.Read(m => m.EarliestExpiry);
        // Only the leader proposes purges; the purge command carries the leader's clock, so every replica removes the same keys.
        if (earliest is null || earliest > clock.GetUtcNow().ToUnixTimeMilliseconds() || !shard.IsLeader || host.Failure is not null)
        {
            return 0;
        }

        var (outcome, result) = await host.WriteAsync(shard, now => new PurgeExpiredCommand(now), cancellationToken);
        if (!outcome.IsDone)
        {
            LogPurgeSkipped(logger, shard.ShardId, outcome.Reason);
            return 0;
        }

        if (result.Purged > 0)
        {
            LogPurged(logger, result.Purged, shard.ShardId);
        }

        return result.Purged;
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Debug, Message = "Purged {Count} expired keys of shard {Shard}")]
    private static partial void LogPurged(ILogger logger, int count, int shard);

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "Skipped purging expired keys of shard {Shard}: {Reason}")]
    private static partial void LogPurgeSkipped(ILogger logger, int shard, string? reason);
}
