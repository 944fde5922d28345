using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using NodeNomad.Raft;

namespace NodeNomad.Node.Transport;

/// <summary>
/// The receiving side of the peer transport: <c>POST /raft/v1/stream</c>, one long-lived request per sending
/// peer whose body is a stream of frames (see <see cref="RaftMessageCodec"/>), and <c>GET /raft/v1/ping</c> for
/// diagnostics. Both require <c>Authorization: Bearer &lt;cluster secret&gt;</c>.
/// </summary>
public static partial class RaftTransportEndpoints
{
    /// <summary>The path of the message stream.</summary>
    public const string StreamPath = "/raft/v1/stream";

    /// <summary>
    /// The path under which a sender asks how much of a snapshot arrived before its stream broke:
    /// <c>GET /raft/v1/snapshots/{groupId}?from=&amp;index=&amp;term=</c> answers the byte count as text.
    /// </summary>
    public const string SnapshotsPath = "/raft/v1/snapshots";

    /// <summary>The path of the diagnostic ping.</summary>
    public const string PingPath = "/raft/v1/ping";

    /// <summary>The request header in which a sender names its replica id (for logs).</summary>
    public const string ReplicaHeader = "NodeNomad-Replica";

    /// <summary>
    /// Maps the transport's endpoints. Messages go to the <see cref="IRaftMessageSink"/> registered in the
    /// services; streams end when the application stops. Returns the group so the host can add conventions,
    /// such as <see cref="PeerListener.RequirePeerListener"/>.
    /// </summary>
    public static RouteGroupBuilder MapRaftTransport(this IEndpointRouteBuilder routes, string clusterSecret)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var secret = new ClusterSecret(clusterSecret);
        var services = routes.ServiceProvider;
        var receiver = new Receiver(
            secret,
            services.GetService<SnapshotInbox>() ?? new SnapshotInbox(staging: null),
            services.GetService<ISnapshotPreparer>(),
            services.GetRequiredService<IRaftMessageSink>(),
            services.GetRequiredService<IHostApplicationLifetime>(),
            ActivatorUtilities.GetServiceOrCreateInstance<RaftTransportMetrics>(services),
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RaftTransportEndpoints).FullName!));
        var group = routes.MapGroup("/raft/v1").ExcludeFromDescription();
        group.MapPost("/stream", (Func<HttpContext, Task<IResult>>)receiver.StreamAsync);
        group.MapGet("/ping", receiver.Ping);
        group.MapGet("/snapshots/{groupId}", receiver.Held);
        return group;
    }

    private sealed partial class Receiver(ClusterSecret secret, SnapshotInbox inbox, ISnapshotPreparer? preparer, IRaftMessageSink sink, IHostApplicationLifetime lifetime, RaftTransportMetrics metrics, ILogger logger)
    {
        public async Task<IResult> StreamAsync(HttpContext context)
        {
            var remote = Remote(context);
            if (!secret.IsCarriedBy(context.Request.Headers.Authorization))
            {
                return Refuse(context, remote);
            }

            // The stream lives as long as the peers are connected: no body size limit, no minimum data rate (an
            // idle follower's stream carries nothing but heartbeats).
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = null;
            }

            if (context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
            {
                rate.MinDataRate = null;
            }

            var replica = context.Request.Headers[ReplicaHeader].ToString();
            using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
            try
            {
                // Answer at once (Kestrel sends HTTP/2 headers on the first flush): the sender waits for these
                // headers to know it was accepted.
                context.Response.StatusCode = StatusCodes.Status200OK;
                await context.Response.StartAsync(ended.Token);
                await context.Response.BodyWriter.FlushAsync(ended.Token);
                metrics.StreamAccepted();
                LogOpened(logger, remote, replica);
                var reader = new RaftStreamReader(context.Request.BodyReader, metrics: metrics, inbox: inbox);
                var messages = new List<GroupMessage>();
                while (await reader.ReadAsync(messages, ended.Token))
                {
                    foreach (var (groupId, message) in messages)
                    {
                        if (message.Snapshot is { } snapshot && preparer is not null)
                        {
                            // Decoded on the thread pool and delivered once decoded; the stream goes on meanwhile (Raft
                            // copes with the snapshot arriving after later messages of its leader).
                            _ = Task.Run(() => PrepareAndDeliver(groupId, message, snapshot));
                            continue;
                        }

                        sink.Deliver(groupId, message);
                    }

                    metrics.Delivered(messages.Count);
                    messages.Clear();
                }

                LogClosed(logger, remote, replica);
            }
            catch (FormatException e)
            {
                LogBadFrame(logger, remote, replica, e.Message);
                context.Abort();
            }
            catch (OperationCanceledException) when (ended.IsCancellationRequested)
            {
                LogClosed(logger, remote, replica);
            }
            catch (IOException e)
            {
                // The peer reset its stream or its connection died; it reconnects on its own.
                LogBroken(logger, remote, replica, e.Message);
            }

            return TypedResults.Empty;
        }

        private void PrepareAndDeliver(ulong groupId, Message message, Snapshot snapshot)
        {
            try
            {
                snapshot.Data.Prepared = preparer!.Prepare(snapshot.Data);
            }
#pragma warning disable CA1031 // Undecodable here is decided again, and reported, where the snapshot is installed.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogNotPrepared(logger, groupId, e.Message);
            }

            sink.Deliver(groupId, message);
        }

        public IResult Held(HttpContext context)
        {
            if (!secret.IsCarriedBy(context.Request.Headers.Authorization))
            {
                return Refuse(context, Remote(context));
            }

            var request = context.Request;
            if (!Number(request.RouteValues["groupId"]?.ToString(), out var groupId) || !Number(request.Query["from"], out var from)
                || !Number(request.Query["index"], out var index) || !Number(request.Query["term"], out var term))
            {
                return TypedResults.Problem("Ask as /raft/v1/snapshots/{groupId}?from=&index=&term=, each an unsigned number.",
                    statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
            }

            return TypedResults.Text(inbox.Held(groupId, from, index, term).ToString(CultureInfo.InvariantCulture));
        }

        private static bool Number(string? text, out ulong value) =>
            ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

        public IResult Ping(HttpContext context) =>
            secret.IsCarriedBy(context.Request.Headers.Authorization) ? TypedResults.Text("pong") : Refuse(context, Remote(context));

        private ProblemHttpResult Refuse(HttpContext context, string remote)
        {
            LogRefused(logger, remote, context.Request.Path.Value ?? string.Empty);
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return TypedResults.Problem("Raft requests must carry the cluster secret: Authorization: Bearer <CLUSTER_SECRET>.",
                statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");
        }

        private static string Remote(HttpContext context) =>
            $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";

        [LoggerMessage(EventId = 420, Level = LogLevel.Warning, Message = "Refused a Raft request from {Remote} to {Path}: wrong or missing cluster secret")]
        private static partial void LogRefused(ILogger logger, string remote, string path);

        [LoggerMessage(EventId = 421, Level = LogLevel.Information, Message = "Raft stream from {Remote} (replica {Replica}) opened")]
        private static partial void LogOpened(ILogger logger, string remote, string replica);

        [LoggerMessage(EventId = 422, Level = LogLevel.Information, Message = "Raft stream from {Remote} (replica {Replica}) closed")]
        private static partial void LogClosed(ILogger logger, string remote, string replica);

        [LoggerMessage(EventId = 423, Level = LogLevel.Error, Message = "Ended the Raft stream from {Remote} (replica {Replica}) at a bad frame: {Reason}")]
        private static partial void LogBadFrame(ILogger logger, string remote, string replica, string reason);

        [LoggerMessage(EventId = 425, Level = LogLevel.Warning, Message = "A snapshot of group {Group} could not be decoded ahead of its install ({Reason}); it is decoded again there")]
        private static partial void LogNotPrepared(ILogger logger, ulong group, string reason);

        [LoggerMessage(EventId = 424, Level = LogLevel.Information, Message = "Raft stream from {Remote} (replica {Replica}) broke: {Reason}")]
        private static partial void LogBroken(ILogger logger, string remote, string replica, string reason);
    }
}
