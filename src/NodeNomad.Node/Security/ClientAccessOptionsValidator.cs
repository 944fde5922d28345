using Microsoft.Extensions.Options;

namespace NodeNomad.Node.Security;

/// <summary>
/// Checks <see cref="ClientAccessOptions"/> at start. Protected mode lives here: a client API reachable beyond
/// loopback must be guarded by a credential, or opened on purpose.
/// </summary>
public sealed class ClientAccessOptionsValidator : IValidateOptions<ClientAccessOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ClientAccessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>(options.Problems);
        if (options.AdminToken is { } token)
        {
            if (token.Length < ClientAccessOptions.MinAdminTokenLength || token.Any(c => c is <= ' ' or > '~'))
            {
                failures.Add($"{ClientAccessOptions.Keys.AdminToken} must be at least {ClientAccessOptions.MinAdminTokenLength} printable ASCII characters without spaces "
                    + "(it travels in an HTTP header); for example the output of: openssl rand -hex 32");
            }
        }
        else if (!options.ListensOnLoopbackOnly && !options.AllowAnonymous)
        {
            failures.Add($"protected mode: the client API listens on {Configuration.NodeOptions.Keys.Host}={options.ListenHost}, beyond loopback, and no client credential is set, "
                + $"so anyone who can reach the port could read, write and move shards. Set {ClientAccessOptions.Keys.AdminToken} to a random secret "
                + $"(at least {ClientAccessOptions.MinAdminTokenLength} characters, e.g. openssl rand -hex 32; use it to create API keys with POST /api/v1/admin/keys), "
                + $"or set {ClientAccessOptions.Keys.AllowAnonymous}=true to serve every caller without credentials.");
        }

        if (options.RateLimitPerSecond is < 0 or > 1_000_000 || double.IsNaN(options.RateLimitPerSecond))
        {
            failures.Add($"{ClientAccessOptions.Keys.RateLimitPerSecond}={options.RateLimitPerSecond} must be between 0 (no limit) and 1000000.");
        }

        if (options.RateLimitBurst is < 1 or > 1_000_000)
        {
            failures.Add($"{ClientAccessOptions.Keys.RateLimitBurst}={options.RateLimitBurst} must be between 1 and 1000000.");
        }

        if (options.MaxRequestBodyBytes is < 64 * 1024 or > 1024L * 1024 * 1024)
        {
            failures.Add($"{ClientAccessOptions.Keys.MaxRequestBodyBytes}={options.MaxRequestBodyBytes} must be between 65536 and 1073741824 bytes.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
