using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace NodeNomad.Console.Security;

/// <summary>
/// Authenticates nodes at the fleet hub: the bearer token must be the cluster secret. The token comes in the
/// <c>Authorization</c> header, or in the <c>access_token</c> query parameter where the SignalR client cannot set
/// headers (WebSockets, server-sent events).
/// </summary>
public sealed class ClusterSecretAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ConsoleOptions console)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "ClusterSecret";

    private const string BearerPrefix = "Bearer ";

    private readonly SecretComparer _secret = new(console.ClusterSecret);

    /// <inheritdoc />
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? token = null;
        var header = Request.Headers.Authorization.ToString();
        if (header.StartsWith(BearerPrefix, StringComparison.Ordinal))
        {
            token = header[BearerPrefix.Length..];
        }
        else if (Request.Query.TryGetValue("access_token", out var query))
        {
            token = query.ToString();
        }

        if (token is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!_secret.Matches(token))
        {
            return Task.FromResult(AuthenticateResult.Fail("The token is not the cluster secret."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "node"), new Claim(ClaimTypes.Role, Roles.Node)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
