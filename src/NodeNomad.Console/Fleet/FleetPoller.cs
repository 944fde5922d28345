using NodeNomad.Console.Cluster;

namespace NodeNomad.Console.Fleet;

/// <summary>
/// Every second: asks the cluster for its membership, shard map and migrations (whose steps become events), and ticks <see cref="FleetState"/> so that a node
/// that went silent turns down even while the cluster cannot be asked.
/// </summary>
public sealed partial class FleetPoller(FleetState state, ClusterConnection cluster, ILogger<FleetPoller> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(3);
    private bool _unreachable;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        Task poll = Task.CompletedTask;
        try
        {
            do
            {
                state.Tick();

                // A slow cluster delays the next poll, never the tick.
                if (poll.IsCompleted && cluster.IsConfigured)
                {
                    poll = PollAsync(stoppingToken);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task PollAsync(CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(PollTimeout);
        try
        {
            var nodes = await cluster.CallAsync((client, ct) => client.GetNodesAsync(ct), timeout.Token);
            state.ApplyMembership(nodes);
            var shards = await cluster.CallAsync((client, ct) => client.GetShardsAsync(ct), timeout.Token);
            state.ApplyShards(shards);
            var migrations = await cluster.CallAsync((client, ct) => client.GetMigrationsAsync(ct), timeout.Token);
            state.ApplyMigrations(migrations);
            if (_unreachable)
            {
                _unreachable = false;
                LogClusterBack();
            }
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            if (!_unreachable)
            {
                _unreachable = true;
                LogClusterUnreachable(e.Message);
            }
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "The cluster does not answer ({Reason}); membership and shards are not updated until it does")]
    private partial void LogClusterUnreachable(string reason);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "The cluster answers again")]
    private partial void LogClusterBack();
}
