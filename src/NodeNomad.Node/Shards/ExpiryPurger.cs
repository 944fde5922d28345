using Microsoft.Extensions.Options;
using NodeNomad.Core.KeyValue;
using NodeNomad.Node.Configuration;

namespace NodeNomad.Node.Shards;

/// <summary>
/// Proposes a purge when the shard holds keys past their expiry. Expired keys are already invisible to
/// reads; the purge, a logged command, is what frees their space on every replica alike.
/// </summary>
public sealed partial class ExpiryPurger(ShardReplica shard, IOptions<NodeOptions> options, TimeProvider clock, ILogger<ExpiryPurger> logger) : BackgroundService
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

    /// <summary>Purges when any key has expired; returns how many keys were removed.</summary>
    public async Task<int> PurgeOnceAsync(CancellationToken cancellationToken)
    {
        var earliest = shard.Read(m => m.EarliestExpiry);
        // Only the leader proposes purges; the purge command carries the leader's clock, so every replica removes the same keys.
        if (earliest is null || earliest > clock.GetUtcNow().ToUnixTimeMilliseconds() || !shard.IsLeader || shard.Failure is not null)
        {
            return 0;
        }

        try
        {
            var result = await shard.ProposeAsync(now => new PurgeExpiredCommand(now), cancellationToken);
            if (result.Purged > 0)
            {
                LogPurged(logger, result.Purged);
            }

            return result.Purged;
        }
        catch (Exception e) when (e is ShardUnavailableException or NotLeaderException)
        {
            LogPurgeSkipped(logger, e.Message);
            return 0;
        }
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Debug, Message = "Purged {Count} expired keys")]
    private static partial void LogPurged(ILogger logger, int count);

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "Skipped purging expired keys: {Reason}")]
    private static partial void LogPurgeSkipped(ILogger logger, string reason);
}
