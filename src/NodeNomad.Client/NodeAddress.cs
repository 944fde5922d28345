namespace NodeNomad.Client;

/// <summary>Endpoints under a node's client URL, which may carry a path of its own (behind a proxy).</summary>
internal static class NodeAddress
{
    public static Uri Of(Uri node, string relative)
    {
        var root = node.AbsoluteUri.EndsWith('/') ? node : new Uri(node.AbsoluteUri + "/");
        return new Uri(root, relative);
    }
}
