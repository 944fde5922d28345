namespace NodeNomad.Console;

/// <summary>The console's settings, from environment variables or any other configuration source.</summary>
public sealed class ConsoleOptions
{
    /// <summary>Key of the admin password.</summary>
    public const string AdminPasswordKey = "CONSOLE_ADMIN_PASSWORD";

    /// <summary>Key of the admin password's PBKDF2 hash, set instead of the password itself.</summary>
    public const string PasswordHashKey = "CONSOLE_PASSWORD_HASH";

    /// <summary>Key of the cluster secret, the nodes' bearer token at the fleet hub.</summary>
    public const string ClusterSecretKey = "CLUSTER_SECRET";

    /// <summary>Key of the nodes' client URLs, comma-separated.</summary>
    public const string ClusterUrlsKey = "CLUSTER_URLS";

    /// <summary>Key of the API key the console sends to the nodes.</summary>
    public const string ApiKeyKey = "CLUSTER_API_KEY";

    /// <summary>Key of the nodes' bootstrap admin token, sent when <see cref="ApiKeyKey"/> is not set (a launcher's environment).</summary>
    public const string AdminTokenKey = "ADMIN_TOKEN";

    /// <summary>The PEM certificate the console's page is served with (over https), or null for plain HTTP.</summary>
    public string? TlsCertFile { get; init; }

    /// <summary>The PEM private key of <see cref="TlsCertFile"/>.</summary>
    public string? TlsKeyFile { get; init; }

    /// <summary>The authority the nodes' certificates are checked against, or null for the machine's trusted roots.</summary>
    public string? TlsCaFile { get; init; }

    /// <summary>The password that signs the admin in, when it is configured as itself.</summary>
    public string AdminPassword { get; init; } = string.Empty;

    /// <summary>The hash of the password that signs the admin in (<see cref="Security.AdminPassword"/>), when it is configured so.</summary>
    public string? AdminPasswordHash { get; init; }

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

    /// <summary>The password sign-in checks: the hash when one is set, else the password itself.</summary>
    public Security.AdminPassword Password() =>
        AdminPasswordHash is { } hash ? Security.AdminPassword.FromHash(hash).Password ?? throw new InvalidOperationException($"{PasswordHashKey} is not a password hash.")
            : Security.AdminPassword.FromPlainText(AdminPassword);

    /// <summary>Reads the options, or explains in <paramref name="problems"/> what is missing or malformed.</summary>
    public static ConsoleOptions Read(IConfiguration configuration, out IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var found = new List<string>();
        var password = configuration[AdminPasswordKey];
        var hash = configuration[PasswordHashKey] is { Length: > 0 } setting ? setting : null;
        if (string.IsNullOrEmpty(password) && hash is null)
        {
            found.Add($"Neither {AdminPasswordKey} nor {PasswordHashKey} is set: the console refuses to start without an admin password.");
        }
        else if (!string.IsNullOrEmpty(password) && hash is not null)
        {
            found.Add($"Both {AdminPasswordKey} and {PasswordHashKey} are set: set one ({PasswordHashKey} keeps the password itself out of the configuration).");
        }
        else if (hash is not null && Security.AdminPassword.FromHash(hash).Problem is { } problem)
        {
            found.Add($"{PasswordHashKey} is not a password hash: {problem}");
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

        var certFile = configuration[Contracts.TlsFiles.CertFileKey] is { Length: > 0 } cert ? cert : null;
        var keyFile = configuration[Contracts.TlsFiles.KeyFileKey] is { Length: > 0 } tlsKey ? tlsKey : null;
        var caFile = configuration[Contracts.TlsFiles.CaFileKey] is { Length: > 0 } ca ? ca : null;
        if (Contracts.TlsFiles.Problem(certFile, keyFile, caFile) is { } tls)
        {
            found.Add(tls);
        }

        problems = found;
        return new ConsoleOptions
        {
            TlsCertFile = certFile,
            TlsKeyFile = keyFile,
            TlsCaFile = caFile,
            AdminPassword = password ?? string.Empty,
            AdminPasswordHash = hash,
            ClusterSecret = configuration[ClusterSecretKey] is { Length: > 0 } secret ? secret : null,
            ClusterUrls = urls,
            ApiKey = apiKey,
        };
    }
}
