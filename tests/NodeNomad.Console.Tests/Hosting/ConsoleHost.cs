using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using NodeNomad.Contracts.Fleet;

namespace NodeNomad.Console.Tests.Hosting;

/// <summary>The console app in memory, with a known admin password and cluster secret and no cluster to poll.</summary>
public sealed class ConsoleHost : WebApplicationFactory<Program>
{
    public const string Password = "console-test-password";
    public const string Secret = "fleet-test-secret";

    /// <summary>A SignalR connection to the fleet hub as a node would open it, over the in-memory server.</summary>
    public HubConnection FakeNode(string? token) => new HubConnectionBuilder()
        .WithUrl(new Uri(Server.BaseAddress, FleetProtocol.Path), options =>
        {
            options.HttpMessageHandlerFactory = _ => Server.CreateHandler();
            options.Transports = HttpTransportType.LongPolling;
            options.AccessTokenProvider = () => Task.FromResult(token);
        })
        .Build();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting(ConsoleOptions.AdminPasswordKey, Password);
        builder.UseSetting(ConsoleOptions.ClusterSecretKey, Secret);
        builder.UseEnvironment("Production");
    }
}
