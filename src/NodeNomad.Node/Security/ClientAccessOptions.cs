using System.Globalization;
using System.Net;

namespace NodeNomad.Node.Security;

/// <summary>
/// Who may call the client API and how much: the bootstrap admin token, the explicit opt-out of protected mode, the
/// per-caller rate limit and the largest request body. Read from environment variables (the names in <see cref="Keys"/>).
/// </summary>
public sealed class ClientAccessOptions
{
    /// <summary>The environment variable names.</summary>
    public static class Keys
    {
        /// <summary>A bearer token accepted as an admin key; the way to create the first API key.</summary>
        public const string AdminToken = "ADMIN_TOKEN";

        /// <summary>Set to <c>true</c> to let a node beyond loopback start without any client credential.</summary>
        public const string AllowAnonymous = "ALLOW_ANONYMOUS";

        /// <summary>Requests per second each caller (key, or address when anonymous) may make; 0 for no limit.</summary>
        public const string RateLimitPerSecond = "RATE_LIMIT_PER_SECOND";

        /// <summary>Requests a caller may make at once above the steady rate.</summary>
        public const string RateLimitBurst = "RATE_LIMIT_BURST";

        /// <summary>The largest request body accepted, in bytes.</summary>
        public const string MaxRequestBodyBytes = "MAX_REQUEST_BODY_BYTES";
    }

    /// <summary>The shortest <see cref="AdminToken"/> accepted.</summary>
    public const int MinAdminTokenLength = 32;

    /// <summary>The default body limit: a 1 MiB value as base64 in JSON, with room to spare, well under what a node holds in memory.</summary>
    public const long DefaultMaxRequestBodyBytes = 8L * 1024 * 1024;

    /// <summary>The bootstrap admin token, or null.</summary>
    public string? AdminToken { get; set; }

    /// <summary>Whether a node beyond loopback may start without a client credential.</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>Steady requests per second per caller; 0 turns the limit off.</summary>
    public double RateLimitPerSecond { get; set; }

    /// <summary>Requests per caller above the steady rate; by default twice the rate (at least 1).</summary>
    public int? RateLimitBurst { get; set; }

    /// <summary>The largest request body accepted, in bytes.</summary>
    public long MaxRequestBodyBytes { get; set; } = DefaultMaxRequestBodyBytes;

    /// <summary>The address the client API binds to (<c>NODE_HOST</c>), which decides protected mode.</summary>
    public string ListenHost { get; set; } = "localhost";

    /// <summary>Values that were present but did not parse.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>The burst in effect.</summary>
    public int EffectiveBurst => RateLimitBurst ?? Math.Max(1, (int)Math.Ceiling(RateLimitPerSecond * 2));

    /// <summary>Whether the client API listens only on the loopback interface.</summary>
    public bool ListensOnLoopbackOnly => ListenHost.Trim() is var host
        && (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address)));

    /// <summary>Reads the settings from configuration (environment variables included).</summary>
    public void Bind(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        AdminToken = configuration[Keys.AdminToken] is { Length: > 0 } token ? token : AdminToken;
        ListenHost = configuration[Configuration.NodeOptions.Keys.Host] ?? ListenHost;
        AllowAnonymous = configuration[Keys.AllowAnonymous] switch
        {
            null or "" => AllowAnonymous,
            var raw when bool.TryParse(raw, out var value) => value,
            var raw => Invalid(Keys.AllowAnonymous, raw, "is not true or false", AllowAnonymous),
        };
        RateLimitPerSecond = configuration[Keys.RateLimitPerSecond] switch
        {
            null or "" => RateLimitPerSecond,
            var raw when double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) => value,
            var raw => Invalid(Keys.RateLimitPerSecond, raw, "is not a number", RateLimitPerSecond),
        };
        RateLimitBurst = configuration[Keys.RateLimitBurst] switch
        {
            null or "" => RateLimitBurst,
            var raw when int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) => value,
            var raw => Invalid(Keys.RateLimitBurst, raw, "is not a whole number", RateLimitBurst),
        };
        MaxRequestBodyBytes = configuration[Keys.MaxRequestBodyBytes] switch
        {
            null or "" => MaxRequestBodyBytes,
            var raw when long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) => value,
            var raw => Invalid(Keys.MaxRequestBodyBytes, raw, "is not a whole number of bytes", MaxRequestBodyBytes),
        };
    }

    private T Invalid<T>(string key, string raw, string reason, T fallback)
    {
        Problems.Add($"{key}='{raw}' {reason}.");
        return fallback;
    }
}
