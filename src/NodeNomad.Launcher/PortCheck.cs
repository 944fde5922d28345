using System.Net;
using System.Net.Sockets;

namespace NodeNomad.Launcher;

/// <summary>Finds a port another process already listens on, before any process of the cluster starts.</summary>
internal static class PortCheck
{
    /// <summary>The first of <paramref name="ports"/> that cannot be bound on the loopback address, with its purpose; null when all are free.</summary>
    public static (int Port, string Purpose)? FirstBusy(IEnumerable<(int Port, string Purpose)> ports)
    {
        foreach (var (port, purpose) in ports)
        {
            if (!IsFree(port))
            {
                return (port, purpose);
            }
        }

        return null;
    }

    private static bool IsFree(int port)
    {
        foreach (var address in new[] { IPAddress.Loopback, IPAddress.Any })
        {
            try
            {
                using var listener = new TcpListener(address, port);
                listener.Start();
            }
            catch (SocketException)
            {
                return false;
            }
        }

        return true;
    }
}
