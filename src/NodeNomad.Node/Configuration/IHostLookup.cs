using System.Net;

namespace NodeNomad.Node.Configuration;

/// <summary>The host's name and name resolution, as a node deriving its id from its host sees them.</summary>
public interface IHostLookup
{
    /// <summary>This host's name (a container's or pod's hostname).</summary>
    string HostName { get; }

    /// <summary>The addresses <paramref name="name"/> resolves to; empty when it does not resolve.</summary>
    IReadOnlyList<IPAddress> Addresses(string name);
}
