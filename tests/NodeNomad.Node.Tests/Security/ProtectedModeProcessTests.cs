using System.Net;
using NodeNomad.Contracts;
using NodeNomad.Node.Security;
using NodeNomad.Testing;

namespace NodeNomad.Node.Tests.Security;

/// <summary>Real node processes: protected mode at start, and scopes enforced on a node started with a bootstrap token.</summary>
[Collection(LocalClusters.Name)]
public sealed class ProtectedModeProcessTests
{
    [Fact]
    public async Task a_node_bound_beyond_loopback_without_credentials_exits_non_zero_saying_how_to_go_on()
    {
        await using var node = await NodeProcess.StartAsync(environment: new Dictionary<string, string> { ["NODE_HOST"] = "0.0.0.0" }, waitReady: false);

        var code = await node.WaitForExitAsync(TimeSpan.FromSeconds(60));

        code.ShouldNotBe(0);
        node.Output.ShouldContain("protected mode");
        node.Output.ShouldContain($"Set {ClientAccessOptions.Keys.AdminToken}");
        node.Output.ShouldContain($"{ClientAccessOptions.Keys.AllowAnonymous}=true");
    }

    [Fact]
    public async Task with_allow_anonymous_it_starts_and_serves_anyone()
    {
        await using var node = await NodeProcess.StartAsync(environment: new Dictionary<string, string> { ["NODE_HOST"] = "0.0.0.0", ["ALLOW_ANONYMOUS"] = "true" });
        using var http = new HttpClient { BaseAddress = node.BaseAddress };
        (await http.SetAsync("open", "to anyone")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task with_an_admin_token_it_starts_and_enforces_scopes()
    {
        await using var node = await NodeProcess.StartAsync(environment: new Dictionary<string, string> { ["NODE_HOST"] = "0.0.0.0", ["ADMIN_TOKEN"] = SecuredNode.AdminToken });
        using var anonymous = SecuredNode.Client(node.BaseAddress, null);
        using var admin = SecuredNode.Client(node.BaseAddress, SecuredNode.AdminToken);
        (await anonymous.SetAsync("k", "v")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await admin.SetAsync("k", "v")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var reader = await SecuredNode.CreateKeyAsync(admin, "reader", ApiScopes.Read);
        using var read = SecuredNode.Client(node.BaseAddress, reader.Token);
        (await read.GetAsync(Json.KeyPath("get", "k"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await read.SetAsync("k", "v2")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await anonymous.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
