using System.Net;
using System.Net.Sockets;

namespace NodeNomad.Node.Configuration;

/// <summary>The machine's own hostname and DNS.</summary>
public sealed class SystemHostLookup : IHostLookup
{
    // A name that does not exist is answered at once by a container network's DNS; the limit is for a resolver that
    // does not answer at all.
    private static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(3);

    /// <summary>The one instance.</summary>
    public static SystemHostLookup Instance { get; } = new();

    /// <inheritdoc />
    public string HostName => Dns.GetHostName();

    /// <inheritdoc />
    public IReadOnlyList<IPAddress> Addresses(string name)
    {
        using var timeout = new CancellationTokenSource(LookupTimeout);
        try
        {
            return Dns.GetHostAddressesAsync(name, timeout.Token).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ArgumentException)
        {
            return [];
        }
    }
}
