namespace NodeNomad.Client;

/// <summary>Where <see cref="NodeNomadClusterClient"/> finds the cluster, how fresh it keeps the shard map and how it retries.</summary>
public sealed class NodeNomadClusterClientOptions
{
    /// <summary>
    /// Client URLs of some nodes, for example <c>http://localhost:3001</c>; the shard map is read from the first
    /// that answers, and the map's own node list is used after that. At least one is required.
    /// </summary>
    public IList<Uri> Seeds { get; } = [];

    /// <summary>The longest a call may take, retries and their delays included; between 1 second and 1 day. Defaults to 30 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest one attempt may wait for its answer (cut to <see cref="Timeout"/> when longer). Defaults to 10 seconds.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The shard map is read again at most this often, however many calls ask for it. Defaults to 100 ms.</summary>
    public TimeSpan MinimumMapRefreshInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>A map older than this is read again in the background while calls go on with it. Defaults to 10 seconds.</summary>
    public TimeSpan MapMaximumAge { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most attempts of one call (redirects, 503s and unreachable nodes together), 1 to 100. Defaults to 8.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The first wait before a retry that the node gave no <c>Retry-After</c> for; doubled each time. Defaults to 50 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest wait between attempts unless the node asked for more with <c>Retry-After</c>. Defaults to 2 seconds.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The API key (<c>nn_...</c>) sent as <c>Authorization: Bearer</c> to every node, or null for none.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Why these options cannot be used, or null when they can.</summary>
    /// <returns>The first problem found, naming the option.</returns>
    public string? Problem()
    {
        if (Seeds.Count == 0 || Seeds.Any(seed => seed is not { IsAbsoluteUri: true }))
        {
            return "NodeNomadClusterClientOptions.Seeds must hold at least one absolute URL such as http://localhost:3001.";
        }

        if (ApiKey is { } key && (key.Length == 0 || key.Any(c => c is <= ' ' or > '~')))
        {
            return "NodeNomadClusterClientOptions.ApiKey must be printable ASCII without spaces: it travels in an HTTP header.";
        }

        if (Timeout < TimeSpan.FromSeconds(1) || Timeout > TimeSpan.FromDays(1))
        {
            return "NodeNomadClusterClientOptions.Timeout must be between 1 second and 1 day.";
        }

        if (AttemptTimeout <= TimeSpan.Zero)
        {
            return "NodeNomadClusterClientOptions.AttemptTimeout must be positive.";
        }

        if (MaxAttempts is < 1 or > 100)
        {
            return "NodeNomadClusterClientOptions.MaxAttempts must be between 1 and 100.";
        }

        if (MinimumMapRefreshInterval < TimeSpan.Zero || MapMaximumAge < MinimumMapRefreshInterval)
        {
            return "NodeNomadClusterClientOptions.MinimumMapRefreshInterval must not be negative, nor more than MapMaximumAge.";
        }

        if (RetryBaseDelay < TimeSpan.Zero || RetryMaxDelay < RetryBaseDelay)
        {
            return "NodeNomadClusterClientOptions.RetryBaseDelay must not be negative, nor more than RetryMaxDelay.";
        }

        return null;
    }
}
