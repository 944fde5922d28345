namespace NodeNomad.Client;

/// <summary>Where the client finds the cluster and how long it waits for an answer.</summary>
public sealed class NodeNomadClientOptions
{
    /// <summary>The client URL of a node, for example <c>http://localhost:3001</c>. Required.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>
    /// The longest a call may take, retries and their delays included; between 1 second and 1 day.
    /// Each attempt is also cut off after at most 10 seconds. Defaults to 30 seconds.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The API key (<c>nn_...</c>) sent as <c>Authorization: Bearer</c> on every request, or null for none (a node on
    /// loopback without credentials). Its scopes decide what the calls may do: <c>read</c>, <c>write</c>, <c>admin</c>.
    /// </summary>
    public string? ApiKey { get; set; }
}
