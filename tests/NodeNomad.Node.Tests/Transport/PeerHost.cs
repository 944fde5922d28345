using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodeNomad.Node.Transport;

namespace NodeNomad.Node.Tests.Transport;

/// <summary>
/// A minimal application with the Raft transport's receiving side: a peer port (HTTP/2 only) and a client
/// port (HTTP/1.1) on 127.0.0.1, the endpoints kept on the peer port, and a recording sink.
/// </summary>
internal sealed class PeerHost : IAsyncDisposable
{
    public const string Secret = "s3cret-of-the-cluster";

    private int _stopped;

    private PeerHost(WebApplication app, RecordingSink sink, int peerPort, int clientPort)
    {
        App = app;
        Sink = sink;
        PeerPort = peerPort;
        ClientPort = clientPort;
    }

    public WebApplication App { get; }

    public RecordingSink Sink { get; }

    public int PeerPort { get; }

    public int ClientPort { get; }

    public Uri PeerUri => new($"http://127.0.0.1:{PeerPort}");

    public Uri ClientUri => new($"http://127.0.0.1:{ClientPort}");

    public IMeterFactory Meters => App.Services.GetRequiredService<IMeterFactory>();

    /// <summary>Starts a host, on <paramref name="peerPort"/> when given (to bring a stopped peer back), else on free ports.</summary>
    public static async Task<PeerHost> StartAsync(int? peerPort = null, string secret = Secret, SnapshotInbox? inbox = null)
    {
        var sink = new RecordingSink();
        var (peer, client) = (peerPort ?? FreePort(), FreePort());
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders().AddProvider(new TestOutputLogger.Provider()).SetMinimumLevel(LogLevel.Information).AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        builder.Services.AddSingleton<IRaftMessageSink>(sink);
        if (inbox is not null)
        {
            builder.Services.AddSingleton(inbox);
        }

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Far below what a long-lived stream carries, as on a node (whose limit is sized for client requests).
            kestrel.Limits.MaxRequestBodySize = 1024 * 1024;
            kestrel.ListenPeerPort(IPAddress.Loopback, peer);
            kestrel.Listen(IPAddress.Loopback, client, listen => listen.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        app.MapRaftTransport(secret).RequirePeerListener();
        app.MapGet("/api/v1/hello", () => "hello");
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new PeerHost(app, sink, peer, client);
    }

    /// <summary>A port nothing listens on right now.</summary>
    public static int FreePort() => NodeNomad.Testing.NodeProcess.FreePort();

    /// <summary>A transport of replica <paramref name="localId"/> sending to the given peers, with quick reconnection.</summary>
    public static PeerTransport Transport(ulong localId, IReadOnlyDictionary<ulong, Uri> peers, RecordingFeedback feedback,
        string secret = Secret, IMeterFactory? meters = null, PeerTransportOptions? options = null) =>
        new(localId, peers, secret, TestOutputLogger.For<PeerTransport>(), feedback,
            options ?? new PeerTransportOptions { ReconnectDelay = TimeSpan.FromMilliseconds(50), MaxReconnectDelay = TimeSpan.FromMilliseconds(200) },
            meters is null ? null : new RaftTransportMetrics(meters));

    /// <summary>Stops the host; a test may stop it early (a peer going down) and dispose it again at the end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
    }
}
