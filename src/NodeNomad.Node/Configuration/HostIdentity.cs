using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace NodeNomad.Node.Configuration;

/// <summary>
/// Gives a node without <c>NODE_ID</c> an id taken from its host (<c>NODE_ID_FROM</c>), for replicas of one service
/// that share every setting:
/// <list type="bullet">
/// <item><c>hostname</c>: the id is the host name's first label (a StatefulSet's pod <c>nodenomad-2</c>, or a
/// container given a hostname), and other nodes reach the peer port at the host name.</item>
/// <item><c>dns:PATTERN</c>: the id is <c>node-N</c> for the N whose name <c>PATTERN</c> (with <c>{n}</c> for N) resolves
/// to this host's own address: Docker Compose names the replicas of a scaled service <c>project-service-N</c> and its
/// network's DNS resolves those names, so <c>dns:nodenomad-node-{n}</c> gives the third replica the id
/// <c>node-3</c>, and the peer address <c>nodenomad-node-3</c>, whatever container holds it.</item>
/// </list>
/// Either way the id outlives the container: a node on the <c>marten</c> storage finds its log in PostgreSQL under it.
/// </summary>
public static partial class HostIdentity
{
    /// <summary>The <c>NODE_ID_FROM</c> value that takes the id from the host name.</summary>
    public const string FromHostName = "hostname";

    /// <summary>The prefix of the <c>NODE_ID_FROM</c> value that finds the id among DNS names.</summary>
    public const string FromDnsPrefix = "dns:";

    /// <summary>The place of the replica's number in a <c>dns:</c> pattern.</summary>
    public const string NumberPlaceholder = "{n}";

    /// <summary>The most replicas a <c>dns:</c> pattern is tried for.</summary>
    public const int MaxReplicas = 64;

    /// <summary>
    /// Sets <see cref="NodeOptions.NodeId"/>, and unless configured <see cref="NodeOptions.PeerHost"/> and
    /// <see cref="NodeOptions.Url"/>, from the host when <see cref="NodeOptions.NodeIdFrom"/> asks for it and no id is
    /// configured. A host that gives no id is recorded in <see cref="NodeOptions.Problems"/>.
    /// </summary>
    public static void Apply(NodeOptions options, IHostLookup lookup)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(lookup);
        if (options.NodeIdFrom is not { } source || options.NodeIdConfigured)
        {
            return;
        }

        var derived = source == FromHostName ? FromHost(lookup)
            : source.StartsWith(FromDnsPrefix, StringComparison.Ordinal) ? FromDns(source[FromDnsPrefix.Length..], lookup)
            : Failed($"{NodeOptions.Keys.NodeIdFrom}='{source}' must be '{FromHostName}' or '{FromDnsPrefix}' followed by a name with {NumberPlaceholder}.");
        if (derived.Problem is { } problem)
        {
            options.Problems.Add(problem);
            return;
        }

        options.NodeId = derived.NodeId!;
        options.PeerHost ??= derived.Host;
        options.Url ??= $"{(options.Tls ? "https" : "http")}://{options.PeerHost}:{options.Port.ToString(CultureInfo.InvariantCulture)}";
    }

    private static Derived FromHost(IHostLookup lookup)
    {
        var host = lookup.HostName.Trim().TrimEnd('.');
        var label = host.Split('.')[0];
        return NodeIdPattern().IsMatch(label)
            ? new Derived(label, host, null)
            : Failed($"{NodeOptions.Keys.NodeIdFrom}={FromHostName}: the host name '{host}' does not make a node id (1 to 64 letters, digits, '-', '_' or '.' before its first dot).");
    }

    private static Derived FromDns(string pattern, IHostLookup lookup)
    {
        if (!pattern.Contains(NumberPlaceholder, StringComparison.Ordinal) || Uri.CheckHostName(pattern.Replace(NumberPlaceholder, "1", StringComparison.Ordinal)) != UriHostNameType.Dns)
        {
            return Failed($"{NodeOptions.Keys.NodeIdFrom}='{FromDnsPrefix}{pattern}' must be a host name with {NumberPlaceholder} where the replica's number goes.");
        }

        var own = lookup.Addresses(lookup.HostName).Where(a => !IPAddress.IsLoopback(a)).ToHashSet();
        if (own.Count == 0)
        {
            return Failed($"{NodeOptions.Keys.NodeIdFrom}={FromDnsPrefix}{pattern}: this host's name '{lookup.HostName}' resolves to no address other than loopback.");
        }

        // Every number is asked at once: replicas start together, so a lower one may not be in DNS yet, and a miss
        // must not end the search.
        var match = Enumerable.Range(1, MaxReplicas)
            .AsParallel()
            .WithDegreeOfParallelism(16)
            .Select(n => (Number: n, Name: pattern.Replace(NumberPlaceholder, n.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)))
            .Where(candidate => lookup.Addresses(candidate.Name).Any(own.Contains))
            .OrderBy(candidate => candidate.Number)
            .FirstOrDefault();
        return match.Name is null
            ? Failed($"{NodeOptions.Keys.NodeIdFrom}={FromDnsPrefix}{pattern}: none of the names for 1 to {MaxReplicas} resolves to this host's address ({string.Join(", ", own)}).")
            : new Derived($"node-{match.Number.ToString(CultureInfo.InvariantCulture)}", match.Name, null);
    }

    private static Derived Failed(string problem) => new(null, null, problem);

    private sealed record Derived(string? NodeId, string? Host, string? Problem);

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex NodeIdPattern();
}
