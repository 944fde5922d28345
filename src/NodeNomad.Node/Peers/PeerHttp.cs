using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using NodeNomad.Node.Configuration;

namespace NodeNomad.Node.Peers;

/// <summary>
/// The HTTP client nodes use to call each other's peer port: HTTP/2 (cleartext with prior knowledge, or TLS when the
/// node has a certificate; the peer port speaks nothing else), authenticated with the cluster secret.
/// </summary>
public sealed class PeerHttp : IDisposable
{
    /// <summary>The header marking a request one node forwarded to another.</summary>
    public const string ForwardedByHeader = "X-NodeNomad-Forwarded-By";

    /// <summary>How many nodes a forwarded request has passed through.</summary>
    public const string HopsHeader = "X-NodeNomad-Hops";

    private readonly HttpClient _http;
    private readonly string? _secret;
    private readonly bool _tls;

    /// <summary>Creates the client.</summary>
    public PeerHttp(IOptions<NodeOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _secret = options.Value.ClusterSecret;
        _tls = options.Value.Tls;
        _http = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = TlsFor(options.Value) ?? new(),
            ConnectTimeout = TimeSpan.FromSeconds(2),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            KeepAlivePingDelay = TimeSpan.FromSeconds(10),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
        })
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>Sends <paramref name="request"/> to a peer with the cluster secret.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_tls && request.RequestUri is { IsAbsoluteUri: true } address)
        {
            request.RequestUri = OverTls(address);
        }

        request.Version = HttpVersion.Version20;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        if (_secret is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _secret);
        }

        return _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>
    /// <paramref name="address"/> with the https scheme: a cluster on TLS speaks nothing else between nodes, whatever
    /// scheme an address was written with.
    /// </summary>
    internal static Uri OverTls(Uri address) =>
        address.Scheme == Uri.UriSchemeHttps ? address : new UriBuilder(address) { Scheme = Uri.UriSchemeHttps }.Uri;

    /// <summary>Client-side TLS towards peers for a node with <paramref name="options"/>, or null when it runs without TLS.</summary>
    public static System.Net.Security.SslClientAuthenticationOptions? TlsFor(NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Tls
            ? Contracts.TlsFiles.ClientOptions(options.TlsCaFile is { } ca ? Contracts.TlsFiles.LoadAuthority(ca) : null)
            : null;
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
