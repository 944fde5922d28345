using System.Net.Http.Headers;
using NodeNomad.Core.Cluster;
using NodeNomad.Node.Shards;

namespace NodeNomad.Node.Peers;

/// <summary>
/// Carries the meta commands this node's migration driver produces (steps of moves of shards it leads) to the meta
/// group's leader: proposed here when this node leads the meta group, else posted to the leader's
/// <c>/peer/v1/meta</c>. Nothing is retried here: a step that does not show in the map is taken again by the
/// driver, and every step is refused unless the migration is in the state it expects, so repeats are harmless.
/// </summary>
public sealed partial class MetaForwarder(ReplicaHost host, PeerHttp peers, ILogger<MetaForwarder> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var command in host.ForMeta.ReadAllAsync(stoppingToken))
            {
                await ForwardAsync(command, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ForwardAsync(MetaCommand command, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            if (host.Meta.IsLeader)
            {
                var outcome = await host.ProposeMetaAsync(command, timeout.Token);
                LogForwarded(logger, command.GetType().Name, "here", outcome.IsDone ? outcome.Value as string ?? "applied" : outcome.Reason);
                return;
            }

            if (host.Meta.Status.LeaderId is not { } leader || host.PeerUriOf(leader) is not { } uri)
            {
                LogForwarded(logger, command.GetType().Name, "nowhere", "no meta leader is known");
                return;
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(uri, PeerApi.MetaPath))
            {
                Content = new ByteArrayContent(MetaStateMachine.Encode(command)),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await peers.SendAsync(request, timeout.Token);
            LogAnswered(logger, command.GetType().Name, leader, (int)response.StatusCode);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !stoppingToken.IsCancellationRequested)
        {
            LogForwarded(logger, command.GetType().Name, "the meta leader", e.Message);
        }
    }

    [LoggerMessage(EventId = 126, Level = LogLevel.Debug, Message = "Migration step {Command} forwarded to {Leader}: HTTP {Status}")]
    private static partial void LogAnswered(ILogger logger, string command, string leader, int status);

    [LoggerMessage(EventId = 125, Level = LogLevel.Debug, Message = "Migration step {Command} forwarded to {Leader}: {Result}")]
    private static partial void LogForwarded(ILogger logger, string command, string leader, string? result);
}
