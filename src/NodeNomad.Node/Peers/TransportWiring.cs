using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using NodeNomad.Node.Configuration;
using NodeNomad.Node.Shards;
using NodeNomad.Node.Snapshots;
using NodeNomad.Node.Transport;
using NodeNomad.Raft;

namespace NodeNomad.Node.Peers;

/// <summary>Connects the peer transport to the node's replica: outgoing messages, incoming messages, and delivery feedback.</summary>
public static class TransportWiring
{
    /// <summary>The folder under the data folder where snapshots are written, received and read from to send.</summary>
    public const string StagingFolder = "snapshots";

    /// <summary>Registers the transport, its sink and its feedback.</summary>
    public static IServiceCollection AddNodeNomadTransport(this IServiceCollection services)
    {
        services.AddSingleton<RaftTransportMetrics>();
        services.AddSingleton<SnapshotTransfers>();
        services.AddSingleton<ISnapshotPreparer, KvSnapshotPreparer>();
        services.AddSingleton(sp => new SnapshotStaging(
            Path.Combine(sp.GetRequiredService<IOptions<NodeOptions>>().Value.EffectiveDataDir, StagingFolder),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new SnapshotInbox(sp.GetRequiredService<SnapshotStaging>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<RaftInbox>();
        services.AddSingleton<IRaftMessageSink>(sp => sp.GetRequiredService<RaftInbox>());
        services.AddSingleton<IPeerTransportFeedback>(sp => sp.GetRequiredService<RaftInbox>());
        services.AddSingleton(sp =>
        {
            var topology = sp.GetRequiredService<ClusterTopology>();
            var options = sp.GetRequiredService<IOptions<NodeOptions>>().Value;
            return new PeerTransport(
                topology.Self.ReplicaId,
                topology.Peers.ToDictionary(p => p.ReplicaId, p => p.PeerUri),
                EffectiveSecret(sp.GetRequiredService<IOptions<NodeOptions>>().Value),
                sp.GetRequiredService<ILogger<PeerTransport>>(),
                sp.GetRequiredService<IPeerTransportFeedback>(),
                new PeerTransportOptions { SnapshotBytesPerSecond = options.SnapshotBandwidthMiB * 1024L * 1024, Tls = PeerHttp.TlsFor(options) },
                sp.GetRequiredService<RaftTransportMetrics>(),
                sp.GetRequiredService<SnapshotTransfers>());
        });
        services.AddSingleton<IPeerSender, TransportSender>();
        return services;
    }

    /// <summary>Maps the transport's receiving endpoints.</summary>
    public static IEndpointRouteBuilder MapNodeNomadTransport(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapRaftTransport(EffectiveSecret(routes.ServiceProvider.GetRequiredService<IOptions<NodeOptions>>().Value));
        return routes;
    }

    /// <summary>
    /// The configured secret; a node alone has no peers to share one with, so it gets a random one that no
    /// request can carry.
    /// </summary>
    private static string EffectiveSecret(NodeOptions options) =>
        options.ClusterSecret ?? LoneSecret.Value;

    private static readonly Lazy<string> LoneSecret = new(() => Convert.ToHexString(RandomNumberGenerator.GetBytes(32)));

    /// <summary>Hands messages to the node's replica host; resolves it lazily to break the cycle host → transport → inbox.</summary>
    private sealed class RaftInbox(IServiceProvider services) : IRaftMessageSink, IPeerTransportFeedback
    {
        private ReplicaHost Host => services.GetRequiredService<ReplicaHost>();

        public void Deliver(ulong groupId, Message message) => Host.Deliver(groupId, message);

        public void Unreachable(ulong groupId, ulong peerId) => Host.ReportUnreachable(groupId, peerId);

        public void SnapshotStatus(ulong groupId, ulong peerId, bool ok) => Host.ReportSnapshot(groupId, peerId, ok);
    }

    private sealed class TransportSender(PeerTransport transport) : IPeerSender
    {
        public void Send(ulong groupId, Message message) => transport.Send(groupId, message);

        public void SetPeers(IReadOnlyDictionary<ulong, Uri> peers) => transport.SetPeers(peers);
    }
}
