using Microsoft.AspNetCore.SignalR.Client;
using NodeNomad.Contracts;
using NodeNomad.Contracts.Fleet;

namespace NodeNomad.Node.Fleet;

/// <summary>
/// Pushes this node's status to the console's fleet hub every second, with the events published since the last
/// push. Runs only when <c>CONSOLE_URL</c> is set. It is off the data path: it reads the status, never waits on the
/// runtime, and a console that is slow or away costs the node nothing but dropped reports. It never throws into
/// the host; it keeps trying to reach the console until the node stops.
/// </summary>
public sealed partial class FleetReporter(IConfiguration configuration, IFleetStatusSource source, FleetEvents events, ILogger<FleetReporter> logger)
    : BackgroundService
{
    /// <summary>Configuration key of the console's base address.</summary>
    public const string ConsoleUrlKey = "CONSOLE_URL";

    /// <summary>Configuration key of the cluster secret, the node's bearer token at the hub.</summary>
    public const string ClusterSecretKey = "CLUSTER_SECRET";

    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan PeerCheckInterval = TimeSpan.FromSeconds(2);

    private readonly Dictionary<int, string> _roles = [];
    // Peers that answered at least once, and whether they answered the last time.
    private readonly Dictionary<string, bool> _peers = [];
    private Task<IReadOnlyList<PeerReachability>>? _peerCheck;
    private DateTimeOffset _lastPeerCheck = DateTimeOffset.MinValue;
    private bool _consoleAway;
    private bool _announced;
    private string? _metaRole;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (configuration[ConsoleUrlKey] is not { Length: > 0 } url)
        {
            return;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var consoleUri))
        {
            LogInvalidConsoleUrl(url);
            return;
        }

        var hub = new Uri(consoleUri, FleetProtocol.Path);
        var secret = configuration[ClusterSecretKey];
        await using var connection = new HubConnectionBuilder()
            .WithUrl(hub, options =>
            {
                options.AccessTokenProvider = () => Task.FromResult(secret);

                // A console on TLS is trusted as the node trusts its peers: by the cluster's authority when one is set.
                if (configuration[TlsFiles.CaFileKey] is { Length: > 0 } ca)
                {
                    var authority = TlsFiles.LoadAuthority(ca);
                    var validate = TlsFiles.Validator(authority);
                    options.HttpMessageHandlerFactory = handler =>
                    {
                        if (handler is HttpClientHandler client)
                        {
                            client.ServerCertificateCustomValidationCallback = (request, certificate, chain, errors) => validate(request, certificate, chain, errors);
                        }

                        return handler;
                    };
                    options.WebSocketConfiguration = socket => socket.RemoteCertificateValidationCallback = validate;
                }
            })
            .WithAutomaticReconnect(new RetryForever())
            .Build();
        connection.Reconnecting += error =>
        {
            LogReconnecting(hub, error?.Message ?? "closed");
            return Task.CompletedTask;
        };
        connection.Reconnected += _ =>
        {
            LogConnected(hub);
            return Task.CompletedTask;
        };

        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                await ReportAsync(connection, hub, stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // A reporter failure must never stop the node: the node serves on without a console.
            LogReporterStopped(e);
        }
    }

    private async Task ReportAsync(HubConnection connection, Uri hub, CancellationToken stoppingToken)
    {
        try
        {
            var report = source.Current();
            if (!_announced)
            {
                _announced = true;
                events.Publish(new FleetEvent(FleetEventKinds.NodeStarted, report.NodeId, report.NodeId,
                    $"{report.NodeId} started (version {report.Version}).", report.At));
            }

            ObserveLeaderships(report);
            ObservePeers(report, stoppingToken);
            if (connection.State == HubConnectionState.Disconnected)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(CallTimeout);
                await connection.StartAsync(timeout.Token);
                LogConnected(hub);
            }

            if (connection.State != HubConnectionState.Connected)
            {
                return;
            }

            using var send = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            send.CancelAfter(CallTimeout);
            await connection.SendAsync(FleetProtocol.ReportStatus, report, send.Token);
            while (events.TryPeek(out var fleetEvent))
            {
                await connection.SendAsync(FleetProtocol.ReportEvent, fleetEvent, send.Token);
                events.TryTake(out _);
            }

            _consoleAway = false;
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            if (!_consoleAway)
            {
                _consoleAway = true;
                LogConsoleAway(hub, e.Message);
            }
        }
    }

    /// <summary>A group this node now leads and did not lead at the previous report is a leader change; the meta group's too.</summary>
    private void ObserveLeaderships(NodeStatusReport report)
    {
        var metaWas = _metaRole;
        _metaRole = report.MetaRole;
        if (report.MetaRole == ReplicaRoles.Leader && metaWas != ReplicaRoles.Leader)
        {
            events.Publish(new FleetEvent(FleetEventKinds.MetaLeaderChanged, report.NodeId, report.NodeId,
                $"{report.NodeId} leads the meta group in term {report.MetaTerm}.", report.At));
        }

        foreach (var group in report.Groups)
        {
            var was = _roles.GetValueOrDefault(group.ShardId);
            _roles[group.ShardId] = group.Role;
            if (group.Role == ReplicaRoles.Leader && was != ReplicaRoles.Leader)
            {
                events.Publish(new FleetEvent(FleetEventKinds.LeaderChanged, report.NodeId, report.NodeId,
                    $"{report.NodeId} leads shard {group.ShardId} in term {group.Term}.", report.At, group.ShardId));
            }
        }
    }

    /// <summary>
    /// Asks the peers in the background and publishes the members whose reachability changed since the last answer.
    /// A peer counts only once it has answered: the peers that do not answer yet while the cluster starts are no event.
    /// </summary>
    private void ObservePeers(NodeStatusReport report, CancellationToken stoppingToken)
    {
        if (_peerCheck is { IsCompleted: true } check)
        {
            _peerCheck = null;
            if (check.IsCompletedSuccessfully)
            {
                foreach (var peer in check.Result)
                {
                    var answeredBefore = _peers.TryGetValue(peer.NodeId, out var was);
                    if (peer.Reachable && answeredBefore && !was)
                    {
                        events.Publish(new FleetEvent(FleetEventKinds.NodeBack, report.NodeId, peer.NodeId, $"{peer.NodeId} answers {report.NodeId} again.", report.At));
                    }
                    else if (!peer.Reachable && answeredBefore && was)
                    {
                        events.Publish(new FleetEvent(FleetEventKinds.NodeUnreachable, report.NodeId, peer.NodeId, $"{peer.NodeId} does not answer {report.NodeId}.", report.At));
                    }

                    if (peer.Reachable || answeredBefore)
                    {
                        _peers[peer.NodeId] = peer.Reachable;
                    }
                }
            }
        }

        if (_peerCheck is null && report.At - _lastPeerCheck >= PeerCheckInterval)
        {
            _lastPeerCheck = report.At;
            _peerCheck = source.PeersAsync(stoppingToken);
        }
    }

    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "Reporting to the console's fleet hub at {Hub}")]
    private partial void LogConnected(Uri hub);

    [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "The console's fleet hub at {Hub} is unreachable ({Reason}); reports are dropped until it answers")]
    private partial void LogConsoleAway(Uri hub, string reason);

    [LoggerMessage(EventId = 602, Level = LogLevel.Information, Message = "Lost the console's fleet hub at {Hub} ({Reason}); reconnecting")]
    private partial void LogReconnecting(Uri hub, string reason);

    [LoggerMessage(EventId = 603, Level = LogLevel.Warning, Message = "CONSOLE_URL '{Url}' is not an absolute URL; the node reports to no console")]
    private partial void LogInvalidConsoleUrl(string url);

    [LoggerMessage(EventId = 604, Level = LogLevel.Error, Message = "The fleet reporter stopped; the node no longer reports to the console")]
    private partial void LogReporterStopped(Exception exception);

    /// <summary>Reconnects for as long as the node runs: quickly at first, then every two seconds.</summary>
    private sealed class RetryForever : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext) =>
            retryContext.PreviousRetryCount < 4 ? TimeSpan.FromMilliseconds(500) : TimeSpan.FromSeconds(2);
    }
}
