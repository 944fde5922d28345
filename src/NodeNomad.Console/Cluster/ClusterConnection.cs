using NodeNomad.Client;

namespace NodeNomad.Console.Cluster;

/// <summary>
/// The console's way into the cluster: a client per configured node URL, tried in turn, starting with the one that
/// answered last, so that one node down costs one failed attempt and not the page.
/// </summary>
public sealed class ClusterConnection
{
    private readonly IReadOnlyList<NodeNomadClient> _clients;
    private int _preferred;

    /// <summary>Creates the connection over one client per node.</summary>
    public ClusterConnection(IReadOnlyList<NodeNomadClient> clients)
    {
        ArgumentNullException.ThrowIfNull(clients);
        _clients = clients;
    }

    /// <summary>Whether any node is configured.</summary>
    public bool IsConfigured => _clients.Count > 0;

    /// <summary>
    /// Calls <paramref name="call"/> on one node after the other until one answers. An answer that is an error
    /// (a missing key, a version conflict) is the cluster's answer and is thrown as it is; only a node that cannot
    /// be reached, times out or has no quorum sends the call to the next node.
    /// </summary>
    public async Task<T> CallAsync<T>(Func<NodeNomadClient, CancellationToken, Task<T>> call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (_clients.Count == 0)
        {
            throw new InvalidOperationException("No node is configured: set CLUSTER_URLS.");
        }

        var start = Volatile.Read(ref _preferred);
        Exception? last = null;
        for (var i = 0; i < _clients.Count; i++)
        {
            var index = (start + i) % _clients.Count;
            try
            {
                var result = await call(_clients[index], cancellationToken);
                Volatile.Write(ref _preferred, index);
                return result;
            }
            catch (Exception e) when (IsUnreachable(e, cancellationToken))
            {
                last = e;
            }
        }

        throw new ClusterUnreachableException("No configured node answered.", last);
    }

    private static bool IsUnreachable(Exception e, CancellationToken cancellationToken) =>
        e is HttpRequestException or ClusterUnavailableException
        || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);
}
