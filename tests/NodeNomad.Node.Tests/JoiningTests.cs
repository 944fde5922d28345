using System.Net;
using System.Net.Http.Json;
using NodeNomad.Contracts;
using NodeNomad.Testing;

namespace NodeNomad.Node.Tests;

/// <summary>A node that the members do not list joins the cluster they formed: it is recorded in the map and learns it.</summary>
[Collection(LocalClusters.Name)]
public sealed class JoiningTests
{
    [Fact]
    public async Task a_node_started_with_the_members_joins_their_cluster_and_serves_any_key()
    {
        await using var cluster = await LocalCluster.StartAsync(3, new Dictionary<string, string> { ["SHARD_COUNT"] = "4" });
        var first = cluster.Nodes[0];
        using var http = new HttpClient { BaseAddress = first.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        (await http.PostAsJsonAsync("/api/v1/set", new SetRequest("before-join", "kept"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var members = string.Join(',', cluster.Nodes.Select(n => $"{n.NodeId}=127.0.0.1:{n.PeerPort}"));
        var clusterId = (await http.GetFromJsonAsync<ClusterInfo>("/api/v1/cluster/info"))!.ClusterId;

        await using var joiner = await NodeProcess.StartAsync(environment: new Dictionary<string, string>
        {
            ["NODE_ID"] = "node-4",
            ["CLUSTER_NODES"] = members,
            ["CLUSTER_SECRET"] = "local-cluster-test-secret",
            ["HEARTBEAT_INTERVAL"] = "50",
            ["ELECTION_TIMEOUT"] = "500",
        });

        // The members record it, with the address it serves clients on, and see it up.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        NodeInfo? recorded = null;
        while (DateTime.UtcNow < deadline)
        {
            var nodes = await http.GetFromJsonAsync<NodeInfo[]>("/api/v1/cluster/nodes");
            recorded = nodes!.FirstOrDefault(n => n.Id == "node-4");
            if (recorded is { State: "up" })
            {
                break;
            }

            await Task.Delay(200);
        }

        recorded.ShouldNotBeNull("node-4 is in the cluster map");
        recorded.State.ShouldBe("up");
        recorded.ClientUrl.ShouldBe($"http://127.0.0.1:{joiner.Port}");

        // It applied the same map (it is a learner of the meta group) and serves any key by forwarding.
        using var joined = new HttpClient { BaseAddress = joiner.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var info = await joined.GetFromJsonAsync<ClusterInfo>("/api/v1/cluster/info");
        info!.ClusterId.ShouldBe(clusterId);
        info.ShardCount.ShouldBe(4);
        (await joined.GetFromJsonAsync<KeyValue>("/api/v1/get/before-join"))!.Value.ShouldBe("kept");
        (await joined.PostAsJsonAsync("/api/v1/set", new SetRequest("through-the-new-node", "yes"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await http.GetFromJsonAsync<KeyValue>("/api/v1/get/through-the-new-node"))!.Value.ShouldBe("yes");
    }

    [Fact]
    public async Task a_node_that_joins_receives_replicas_until_it_holds_its_share()
    {
        await using var cluster = await LocalCluster.StartAsync(3, PlacementProbe.Settings(shards: 4));
        using var http = MigrationProbe.HttpTo(cluster.Nodes[0]);
        await PlacementProbe.WaitAsync(() => PlacementProbe.EveryShardAtFactorThreeAsync(http), "every shard has a leader");
        var members = string.Join(',', cluster.Nodes.Select(n => $"{n.NodeId}=127.0.0.1:{n.PeerPort}"));

        await using var joiner = await NodeProcess.StartAsync(environment: new Dictionary<string, string>(PlacementProbe.Settings(shards: 4))
        {
            ["NODE_ID"] = "node-4",
            ["CLUSTER_NODES"] = members,
            ["CLUSTER_SECRET"] = "local-cluster-test-secret",
            ["HEARTBEAT_INTERVAL"] = "50",
            ["ELECTION_TIMEOUT"] = "500",
        });

        // 12 replicas on 4 nodes: its share is 3, and every node ends within one of every other.
        await PlacementProbe.WaitAsync(async () => (await http.GetFromJsonAsync<NodeInfo[]>("/api/v1/cluster/nodes"))!.Select(n => n.Replicas.Count).ToList() is { Count: 4 } counts
            && counts.Max() - counts.Min() <= 1
            && await PlacementProbe.EveryShardAtFactorThreeAsync(http) && await PlacementProbe.NoMoveInFlightAsync(http), "node-4 holds its share");
        (await PlacementProbe.NodeAsync(http, "node-4")).Replicas.Count.ShouldBe(3);
        var joins = (await PlacementProbe.MigrationsAsync(http)).Where(m => m.Reason == "join").ToList();
        joins.ShouldNotBeEmpty();
        joins.ShouldAllBe(m => m.TargetNodeId == "node-4" && m.State == MigrationStates.Done);
    }

    [Fact]
    public async Task a_join_request_without_a_usable_node_is_400_and_one_sent_to_a_follower_names_the_meta_leader()
    {
        await using var cluster = await LocalCluster.StartAsync(3);
        using var any = new HttpClient { BaseAddress = cluster.Nodes[0].BaseAddress };
        var deadline = DateTime.UtcNow.AddSeconds(20);
        string? metaLeader = null;
        while (metaLeader is null && DateTime.UtcNow < deadline)
        {
            metaLeader = (await any.GetFromJsonAsync<ClusterInfo>("/api/v1/cluster/info"))!.MetaLeaderId;
            await Task.Delay(100);
        }

        var leader = cluster.Nodes.Single(n => n.NodeId == metaLeader);
        var follower = cluster.Nodes.First(n => n.NodeId != metaLeader);
        using var peers = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        peers.DefaultRequestHeaders.Authorization = new("Bearer", "local-cluster-test-secret");

        var missing = await peers.PostAsJsonAsync(new Uri($"http://127.0.0.1:{leader.PeerPort}/peer/v1/join"), new { id = "node-9", peerAddress = "no-port", clientUrl = "", weight = 1, membership = "active" });
        missing.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await missing.Content.ReadAsStringAsync()).ShouldContain("peer address host:port");

        var notJson = await peers.PostAsync(new Uri($"http://127.0.0.1:{leader.PeerPort}/peer/v1/join"), new StringContent("{", System.Text.Encoding.UTF8, "application/json"));
        notJson.StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var misdirected = await peers.PostAsJsonAsync(new Uri($"http://127.0.0.1:{follower.PeerPort}/peer/v1/join"), new { id = "node-9", peerAddress = "127.0.0.1:4999", clientUrl = "", weight = 1, membership = "active" });
        misdirected.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        misdirected.Headers.GetValues("X-NodeNomad-Meta-Leader").Single().ShouldBe(metaLeader);
        (await any.GetFromJsonAsync<NodeInfo[]>("/api/v1/cluster/nodes"))!.ShouldNotContain(n => n.Id == "node-9");
    }

    [Fact]
    public async Task nodes_that_join_a_lone_node_become_meta_voters_so_the_meta_group_survives_its_first_node()
    {
        var settings = new Dictionary<string, string>
        {
            ["CLUSTER_SECRET"] = "local-cluster-test-secret",
            ["HEARTBEAT_INTERVAL"] = "50",
            ["ELECTION_TIMEOUT"] = "500",
            ["SHARD_COUNT"] = "2",
        };
        await using var first = await NodeProcess.StartAsync(environment: new Dictionary<string, string>(settings) { ["NODE_ID"] = "node-1" });
        var seeds = $"node-1=127.0.0.1:{first.PeerPort}";
        await using var second = await NodeProcess.StartAsync(environment: new Dictionary<string, string>(settings) { ["NODE_ID"] = "node-2", ["CLUSTER_NODES"] = seeds });
        await using var third = await NodeProcess.StartAsync(environment: new Dictionary<string, string>(settings) { ["NODE_ID"] = "node-3", ["CLUSTER_NODES"] = seeds });

        // The meta leader promotes the learners one at a time until three vote.
        using var http = new HttpClient { BaseAddress = first.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        NodeInfo[] nodes = [];
        while (DateTime.UtcNow < deadline)
        {
            nodes = (await http.GetFromJsonAsync<NodeInfo[]>("/api/v1/cluster/nodes"))!;
            if (nodes.Length == 3 && nodes.All(n => n.MetaRole is "leader" or "follower"))
            {
                break;
            }

            await Task.Delay(200);
        }

        nodes.Select(n => $"{n.Id}:{n.MetaRole}").ShouldBe(["node-1:leader", "node-2:follower", "node-3:follower"], ignoreOrder: true);

        // The first node goes: the two others still form the meta group's majority and elect a leader of it.
        first.Kill();
        using var survivor = new HttpClient { BaseAddress = second.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        string? metaLeader = null;
        deadline = DateTime.UtcNow.AddSeconds(20);
        while (metaLeader is not ("node-2" or "node-3") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            metaLeader = (await survivor.GetFromJsonAsync<ClusterInfo>("/api/v1/cluster/info"))!.MetaLeaderId;
        }

        metaLeader.ShouldBeOneOf("node-2", "node-3");
    }
}
