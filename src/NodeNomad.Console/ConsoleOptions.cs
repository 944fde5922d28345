namespace NodeNomad.Console;

/// <summary>The console's settings, from environment variables or any other configuration source.</summary>
public sealed class ConsoleOptions
{
    /// <summary>Key of the admin password.</summary>
    public const string AdminPasswordKey = "CONSOLE_ADMIN_PASSWORD";

    /// <summary>Key of the cluster secret, the nodes' bearer token at the fleet hub.</summary>
    public const string ClusterSecretKey = "CLUSTER_SECRET";

    /// <summary>Key of the nodes' client URLs, comma-separated.</summary>
    public const string ClusterUrlsKey = "CLUSTER_URLS";

    /// <summary>Key of the API key the console sends to the nodes.</summary>
    public const string ApiKeyKey = "CLUSTER_API_KEY";

    /// <summary>Key of the nodes' bootstrap admin token, sent when <see cref="ApiKeyKey"/> is not set (a launcher's environment).</summary>
    public const string AdminTokenKey = "ADMIN_TOKEN";

    /// <summary>The password that signs the admin in.</summary>
    public string AdminPassword { get; init; } = string.Empty;

    /// <summary>The secret nodes present to the fleet hub; without it no node can report.</summary>
    public string? ClusterSecret { get; init; }

    /// <summary>The nodes' client URLs, tried in turn for the membership, the shard map and keys.</summary>
    public IReadOnlyList<Uri> ClusterUrls { get; init; } = [];

    /// <summary>
    /// The API key (<c>nn_...</c>) the console sends as its bearer token to the nodes, or null when they enforce no
    /// credential. Its scopes bound what the console can do: <c>read</c> for the pages, <c>write</c> for the Keys page,
    /// <c>admin</c> for drain, undrain, remove and the rebalancer.
    /// </summary>
    public string? ApiKey { get; init; }

    /// <summary>Reads the options, or explains in <paramref name="problems"/> what is missing or malformed.</summary>
    public static ConsoleOptions Read(IConfiguration configuration, out IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var found = new List<string>();
        var password = configuration[AdminPasswordKey];
        if (string.IsNullOrEmpty(password))
        {
            found.Add($"{AdminPasswordKey} is not set: the console refuses to start without an admin password.");
        }

        var urls = new List<Uri>();
        foreach (var part in (configuration[ClusterUrlsKey] ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Uri.TryCreate(part, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
            {
                urls.Add(url);
            }
            else
            {
                found.Add($"{ClusterUrlsKey} holds '{part}', which is not an http(s) URL such as http://127.0.0.1:3001.");
            }
        }

        var apiKey = configuration[ApiKeyKey] is { Length: > 0 } key ? key
            : configuration[AdminTokenKey] is { Length: > 0 } admin ? admin
            : null;
        if (apiKey is not null && apiKey.Any(c => c is <= ' ' or > '~'))
        {
            found.Add($"{ApiKeyKey} (or {AdminTokenKey}) must be printable ASCII without spaces: it travels in an HTTP header.");
        }

        problems = found;
        return new ConsoleOptions
        {
            AdminPassword = password ?? string.Empty,
            ClusterSecret = configuration[ClusterSecretKey] is { Length: > 0 } secret ? secret : null,
            ClusterUrls = urls,
            ApiKey = apiKey,
        };
    }
}
