using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using MudBlazor;
using MudBlazor.Services;
using NodeNomad.Client;
using NodeNomad.Console.Cluster;
using NodeNomad.Console.Components;
using NodeNomad.Console.Fleet;
using NodeNomad.Console.Security;
using NodeNomad.Contracts.Fleet;

namespace NodeNomad.Console;

/// <summary>The console's composition: the fleet state and hub, the cluster connection, sign-in, and the pages.</summary>
public static class ConsoleServices
{
    /// <summary>The authorization policy of the fleet hub: callers holding the cluster secret.</summary>
    public const string NodePolicy = "node";

    private static readonly TimeSpan NodeCallTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Registers everything the console runs.</summary>
    public static WebApplicationBuilder AddNodeNomadConsole(this WebApplicationBuilder builder, ConsoleOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        // The launcher and the tests run the console from its build output, not a publish folder: static web assets
        // (MudBlazor's files, the Blazor script) are found through the build's manifest, as in development.
        builder.WebHost.UseStaticWebAssets();
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(options.Password());
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<FleetState>();
        var calls = services.AddHttpClient(nameof(ClusterConnection), http =>
        {
            http.Timeout = NodeCallTimeout;
            if (options.ApiKey is { } key)
            {
                http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            }
        });
        if (options.TlsCaFile is { } ca)
        {
            // Nodes on TLS are trusted when the cluster's authority signed their certificates.
            var authority = Contracts.TlsFiles.LoadAuthority(ca);
            calls.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { SslOptions = Contracts.TlsFiles.ClientOptions(authority) });
        }

        if (options.TlsCertFile is { } certFile)
        {
            // Every https address the console listens on serves this certificate.
            var certificate = Contracts.TlsFiles.LoadCertificate(certFile, options.TlsKeyFile!);
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate));
        }
        services.AddSingleton(sp =>
        {
            var factory = sp.GetRequiredService<IHttpClientFactory>();
            return new ClusterConnection([.. options.ClusterUrls.Select(url =>
            {
                var http = factory.CreateClient(nameof(ClusterConnection));
                http.BaseAddress = url;
                return NodeNomadClient.Create(http);
            })]);
        });
        services.AddHostedService<FleetPoller>();

        services.AddRazorComponents().AddInteractiveServerComponents();
        // Notifications at the bottom right, where they cover no button of the pages (the Keys page's are at the top).
        services.AddMudServices(mud => mud.SnackbarConfiguration.PositionClass = Defaults.Classes.Position.BottomRight);
        services.AddSignalR();
        services.AddCascadingAuthenticationState();
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(cookie =>
            {
                cookie.LoginPath = "/login";
                cookie.Cookie.Name = "NodeNomad.Console";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Strict;
                cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
                cookie.SlidingExpiration = true;
            })
            .AddScheme<AuthenticationSchemeOptions, ClusterSecretAuthentication>(ClusterSecretAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder()
            // Every endpoint without its own policy (pages, the Blazor circuit) wants the signed-in admin.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(CookieAuthenticationDefaults.AuthenticationScheme).RequireRole(Roles.Admin).Build())
            .AddPolicy(NodePolicy, policy => policy.AddAuthenticationSchemes(ClusterSecretAuthentication.SchemeName).RequireRole(Roles.Node));
        return builder;
    }

    /// <summary>Maps the pages, the fleet hub and sign-out.</summary>
    public static WebApplication UseNodeNomadConsole(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        }

        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapStaticAssets().AllowAnonymous();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapHub<FleetHub>(FleetProtocol.Path).RequireAuthorization(NodePolicy);
        app.MapAccountEndpoints();
        return app;
    }
}
