using System.Net;
using System.Net.Http.Json;
using NodeNomad.Client;
using NodeNomad.Contracts;
using NodeNomad.Testing;
using static NodeNomad.Node.Tests.MigrationProbe;
using static NodeNomad.Node.Tests.PlacementProbe;

namespace NodeNomad.Node.Tests;

/// <summary>A node drained under writes hands over every leadership and replica with no client error; it comes back when undrained, and a drained node can be removed.</summary>
[Collection(LocalClusters.Name)]
public sealed class DrainTests(ITestOutputHelper output)
{
    [Fact]
    public async Task a_drained_node_ends_with_no_replica_and_no_leadership_under_writes_and_comes_back_when_undrained()
    {
        await using var cluster = await LocalCluster.StartAsync(4, Settings(shards: 4));
        using var http = HttpTo(cluster.Nodes[0]);
        var client = NodeNomadClient.Create(HttpTo(cluster.Nodes[0]));
        await WaitAsync(() => EveryShardAtFactorThreeAsync(http), "every shard has a leader");
        await using var writer = new Writer(http, "during-drain");

        var drain = await client.DrainNodeAsync("node-2");
        drain.Membership.ShouldBe("draining");
        await WaitAsync(async () => await NodeAsync(http, "node-2") is { Membership: "drained", Replicas.Count: 0, Leaderships.Count: 0 }
            && await NoMoveInFlightAsync(http), "node-2 is drained");
        await writer.StopAsync();

        writer.Failures.ShouldBeEmpty();
        await AcknowledgedWritesReadableAsync(http, writer.Written);
        (await EveryShardAtFactorThreeAsync(http, "node-2")).ShouldBeTrue();
        var moves = (await MigrationsAsync(http)).Where(m => m.Reason == "drain").ToList();
        output.WriteLine(string.Join(Environment.NewLine, moves.Select(m => $"{m.Id} {m.Shard} {m.SourceNodeId}->{m.TargetNodeId} {m.State}: {m.Steps[0].Detail}")));
        moves.ShouldNotBeEmpty();
        moves.ShouldAllBe(m => m.SourceNodeId == "node-2" && m.State == MigrationStates.Done && m.RequestedBy == "placement driver");
        moves[0].Steps[0].Detail.ShouldNotBeNull().ShouldContain("node-2 is draining");
        await ShouldBeProblemAsync(await http.PostAsync("/api/v1/cluster/nodes/node-2/drain", null), HttpStatusCode.Conflict, "already drained");

        (await client.UndrainNodeAsync("node-2")).Membership.ShouldBe("active");
        await WaitAsync(async () => await NodeAsync(http, "node-2") is { Membership: "active", Replicas.Count: >= 2 }, "node-2 receives replicas again");
        (await MigrationsAsync(http)).ShouldContain(m => m.Reason == "join" && m.TargetNodeId == "node-2");
    }

    [Fact]
    public async Task a_drained_node_is_removed_from_the_cluster_and_requests_that_cannot_run_say_why()
    {
        await using var cluster = await LocalCluster.StartAsync(4, Settings(shards: 2));
        using var http = HttpTo(cluster.Nodes[0]);
        await WaitAsync(() => EveryShardAtFactorThreeAsync(http), "every shard has a leader");

        await ShouldBeProblemAsync(await http.PostAsync("/api/v1/cluster/nodes/node-9/drain", null), HttpStatusCode.NotFound, "not a node");
        await ShouldBeProblemAsync(await http.PostAsync("/api/v1/cluster/nodes/node-3/undrain", null), HttpStatusCode.Conflict, "neither draining nor drained");
        await ShouldBeProblemAsync(await http.DeleteAsync("/api/v1/cluster/nodes/node-9"), HttpStatusCode.NotFound, "not a node");
        var holder = (await ShardsAsync(http))[0].Replicas[0].NodeId;
        await ShouldBeProblemAsync(await http.DeleteAsync($"/api/v1/cluster/nodes/{holder}"), HttpStatusCode.Conflict, "drain it first");

        (await http.PostAsync("/api/v1/cluster/nodes/node-4/drain", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await ShouldBeProblemAsync(await http.PostAsync("/api/v1/cluster/nodes/node-4/drain", null), HttpStatusCode.Conflict, "already");
        await WaitAsync(async () => await NodeAsync(http, "node-4") is { Membership: "drained", Replicas.Count: 0 }, "node-4 is drained");

        using var removed = await http.DeleteAsync("/api/v1/cluster/nodes/node-4");
        removed.StatusCode.ShouldBe(HttpStatusCode.OK, await removed.Content.ReadAsStringAsync());
        (await removed.Content.ReadFromJsonAsync<NodeMembershipInfo>(Json.Options))!.Membership.ShouldBe("removed");
        await WaitAsync(async () => (await NodeAsync(http, "node-4")).Membership == "removed", "every node applied the removal");
        await ShouldBeProblemAsync(await http.DeleteAsync("/api/v1/cluster/nodes/node-4"), HttpStatusCode.Conflict, "already removed");

        // Out of the meta group too: with it gone for good, the three others keep the cluster serving.
        cluster.Nodes[3].Kill();
        (await http.PostAsJsonAsync("/api/v1/set", new SetRequest("after-removal", "yes"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        await WaitAsync(async () => (await http.GetFromJsonAsync<NodeInfo[]>("/api/v1/cluster/nodes", Json.Options))!
            .Where(n => n.Id != "node-4").All(n => n.MetaRole is "leader" or "follower" or "learner"), "the others are members of the meta group");
    }

    [Fact]
    public async Task a_drain_that_cannot_finish_hands_over_leaderships_says_why_and_waits()
    {
        await using var cluster = await LocalCluster.StartAsync(3, Settings(shards: 2));
        using var http = HttpTo(cluster.Nodes[0]);
        await WaitAsync(() => EveryShardAtFactorThreeAsync(http), "every shard has a leader");

        (await http.PostAsync("/api/v1/cluster/nodes/node-3/drain", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        NodeInfo node = null!;
        await WaitAsync(async () => (node = await NodeAsync(http, "node-3")) is { Membership: "draining", Leaderships.Count: 0, Drain: not null }, "node-3 leads nothing");
        var status = node.Drain.ShouldNotBeNull();
        output.WriteLine(status);
        status.ShouldContain("waiting: no node can take shard-0, shard-1");
        status.ShouldContain("2 active node(s) are up for a replication factor of 3");
        node.Replicas.Count.ShouldBe(2, "with three nodes and a factor of three, its replicas have nowhere to go");
        (await MigrationsAsync(http)).ShouldBeEmpty();

        using var undrained = await http.PostAsync("/api/v1/cluster/nodes/node-3/undrain", null);
        undrained.StatusCode.ShouldBe(HttpStatusCode.OK, await undrained.Content.ReadAsStringAsync());
        await WaitAsync(async () => await NodeAsync(http, "node-3") is { Membership: "active", Drain: null }, "node-3 is active again");
    }
}
