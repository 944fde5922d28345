using System.Globalization;
using System.Text.RegularExpressions;
using NodeNomad.Contracts;

namespace NodeNomad.Launcher.Tests;

/// <summary>
/// The launcher's own shape (5 nodes × 8 shards, replication 3, file storage), one cluster for the class's tests to save
/// time: each starts from a cluster at rest and leaves it at rest, so they run in any order. Every change happens under
/// <see cref="WriterLoad"/> through node-1, which none of them takes down: zero client errors, and every acknowledged
/// write reads back with its value.
/// </summary>
[Collection(LaunchedClusters.Name)]
public sealed class TheLaunchersCluster(TheLaunchersCluster.FiveNodes cluster) : IClassFixture<TheLaunchersCluster.FiveNodes>
{
    private const int Shards = 8;
    private static readonly TimeSpan Settling = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task a_drained_node_hands_over_every_replica_and_leadership_while_writes_go_on()
    {
        using var view = new ClusterView(cluster.Port(1));
        await ClusterView.UntilAsync("the cluster is at rest", Settling, () => view.UnsettledAsync());
        await using var load = WriterLoad.Start(cluster.Port(1), "drain");

        using var drain = await view.PostAsync("/api/v1/cluster/nodes/node-2/drain");

        drain.IsSuccessStatusCode.ShouldBeTrue(await drain.Content.ReadAsStringAsync());
        await ClusterView.UntilAsync("node-2 is drained, holding no replica and leading no shard", Settling, async () =>
            await view.NodeAsync("node-2") is { Membership: "drained", Replicas.Count: 0, Leaderships.Count: 0 } ? null : Describe(await view.NodeAsync("node-2")));
        await ClusterView.UntilAsync("the cluster is at rest", Settling, () => view.UnsettledAsync());
        (await view.ShardsAsync()).ShouldAllBe(s => s.Replicas.All(r => r.NodeId != "node-2"));
        await ShouldHaveKeptEveryWriteAsync(load);
    }

    [Fact]
    public async Task a_node_added_with_add_joins_through_the_seeds_and_receives_its_share_of_replicas()
    {
        using var view = new ClusterView(cluster.Port(1));
        await ClusterView.UntilAsync("the cluster is at rest", Settling, () => view.UnsettledAsync());
        await using var load = WriterLoad.Start(cluster.Port(1), "join");

        var (code, added) = await LauncherProcess.RequestAsync("add", "--data", cluster.Data);

        code.ShouldBe(0, added);
        added.ShouldContain(Invariant($"node-6 joined the cluster: pid "));
        added.ShouldContain(Invariant($"http://localhost:{cluster.Port(6)}"));
        // Its share is one sixth of the 24 replicas (a fifth while another node is drained). Whether it also leads shards
        // once it holds them depends on the placement core, which is being taught to hand leaderships to a node that
        // joins; so only its replicas are asserted here.
        await ClusterView.UntilAsync("node-6 holds replicas and the cluster is at rest", Settling, async () =>
            (await view.NodeAsync("node-6")).Replicas.Count == 0 ? "node-6 holds no replica yet" : await view.UnsettledAsync());
        (await view.NodeAsync("node-6")).Replicas.Count.ShouldBeGreaterThanOrEqualTo(1);
        (await view.MigrationsAsync()).ShouldContain(m => m.Reason == "join" && m.TargetNodeId == "node-6" && m.State == MigrationStates.Done);
        (await ClusterView.HostedAsync(cluster.Port(6), Shards)).ShouldBe((await view.NodeAsync("node-6")).Replicas.Order().ToList());
        var (_, status) = await LauncherProcess.RequestAsync("status", "--data", cluster.Data);
        status.ShouldMatch(Invariant($@"node-6\s+http://localhost:{cluster.Port(6)}\s+running, pid \d+"));
        await ShouldHaveKeptEveryWriteAsync(load);

        // Stop and restart take it like any node (without the load: a node stopped on purpose may lead shards).
        var (stopCode, stopped) = await LauncherProcess.RequestAsync("stop", "node-6", "--data", cluster.Data);
        stopCode.ShouldBe(0, stopped);
        stopped.ShouldContain("node-6 stopped");
        var (restartCode, restarted) = await LauncherProcess.RequestAsync("restart", "node-6", "--data", cluster.Data);
        restartCode.ShouldBe(0, restarted);
        restarted.ShouldContain(Invariant($"node-6 restarted: pid"));
        await ClusterView.UntilAsync("node-6 is up again and the cluster at rest", Settling, async () =>
            (await view.NodeAsync("node-6")).State != NodeStates.Up ? "node-6 is not up" : await view.UnsettledAsync());
    }

    [Fact]
    public async Task a_killed_node_is_repaired_after_down_after_and_once_back_holds_only_what_the_map_gives_it()
    {
        using var view = new ClusterView(cluster.Port(1));
        await ClusterView.UntilAsync("the cluster is at rest", Settling, () => view.UnsettledAsync());
        await using var load = WriterLoad.Start(cluster.Port(1), "repair");

        // A write in flight to a leader killed mid-request has an outcome nobody can know, and the node forwarding it
        // rightly answers an error. This test is about repair, so node-3's leaderships go elsewhere first: the writes
        // then never wait on node-3, and any error is the cluster's failing to serve.
        await ClusterView.UntilAsync("node-3 leads no shard", Settling, async () =>
        {
            var led = (await view.ShardsAsync()).Where(s => s.LeaderId == "node-3").ToList();
            foreach (var shard in led)
            {
                using var moved = await view.PostAsync("/api/v1/cluster/leadership", new { shardId = shard.Id, nodeId = shard.Replicas.First(r => r.NodeId != "node-3").NodeId });
            }

            return led.Count == 0 ? null : $"node-3 leads {string.Join(", ", led.Select(s => s.Name))}";
        });
        var before = (await view.NodeAsync("node-3")).Replicas;
        before.ShouldNotBeEmpty();

        LauncherProcess.KillHard(await cluster.PidAsync("node-3"));

        (await cluster.Launcher.WaitForLineAsync("node-3 exited: killed by SIGKILL", TimeSpan.FromSeconds(60))).ShouldBeTrue(cluster.Launcher.Output);
        await ClusterView.UntilAsync("node-3's replicas are re-created on the others, every shard at factor 3", Settling, async () =>
            (await view.NodeAsync("node-3")).Replicas is { Count: > 0 } left ? $"node-3 still holds shards {string.Join(", ", left)}" : await view.UnsettledAsync());
        (await view.MigrationsAsync()).ShouldContain(m => m.Reason == "repair" && m.SourceNodeId == "node-3" && m.State == MigrationStates.Done);
        cluster.Launcher.HasExited.ShouldBeFalse(cluster.Launcher.Output);

        var (code, restarted) = await LauncherProcess.RequestAsync("restart", "node-3", "--data", cluster.Data);

        code.ShouldBe(0, restarted);
        // Back, it deletes the replicas the map took from it; it may be given some again to even the nodes out.
        await ClusterView.UntilAsync("node-3 is up, hosts just the replicas the map gives it, and the cluster is at rest", Settling, async () =>
        {
            var node = await view.NodeAsync("node-3");
            if (node.State != NodeStates.Up)
            {
                return $"node-3 is {node.State}";
            }

            var hosted = await ClusterView.HostedAsync(cluster.Port(3), Shards);
            var assigned = node.Replicas.Order().ToList();
            return hosted.SequenceEqual(assigned)
                ? await view.UnsettledAsync()
                : $"node-3 hosts shards [{string.Join(", ", hosted)}], the map gives it [{string.Join(", ", assigned)}]";
        });
        await ShouldHaveKeptEveryWriteAsync(load);
    }

    private static async Task ShouldHaveKeptEveryWriteAsync(WriterLoad load)
    {
        await load.StopAsync();
        load.Errors.ShouldBeEmpty(string.Join('\n', load.Errors.Take(10)));
        load.Acknowledged.Count.ShouldBeGreaterThan(0);
        (await load.UnreadableAsync()).ShouldBeEmpty();
    }

    private static string Describe(NodeInfo node) =>
        $"{node.Id}: {node.Membership}, {node.State}, replicas [{string.Join(", ", node.Replicas)}], leads [{string.Join(", ", node.Leaderships)}]; {node.Drain}";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The launched cluster, with a DOWN_AFTER short enough for a test; stopped, and its data deleted, after the class's tests.</summary>
    public sealed class FiveNodes : IAsyncLifetime
    {
        private readonly int basePort = LauncherProcess.FreePortRange(6);

        public string Data { get; } = Directory.CreateTempSubdirectory("nodenomad-launcher-").FullName;

        internal LauncherProcess Launcher { get; private set; } = null!;

        public int Port(int node) => basePort + node;

        /// <summary>The node's pid now, as the launcher's status reports it.</summary>
        public async Task<int> PidAsync(string node)
        {
            var (_, status) = await LauncherProcess.RequestAsync("status", "--data", Data);
            var running = new Regex($@"{node}\s+\S+\s+running, pid (\d+)").Match(status);
            running.Success.ShouldBeTrue(status);
            return int.Parse(running.Groups[1].Value, CultureInfo.InvariantCulture);
        }

        public async ValueTask InitializeAsync()
        {
            Launcher = LauncherProcess.Start(
                "--base-port", Invariant($"{basePort}"), "--peer-base-port", Invariant($"{basePort + 100}"), "--no-console", "--data", Data,
                "--down-after", "8s");
            (await Launcher.WaitForLineAsync("Press Ctrl+C", TimeSpan.FromSeconds(180))).ShouldBeTrue(Launcher.Output);
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                Launcher.Interrupt();
                (await Launcher.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBe(0, Launcher.Output);
            }
            finally
            {
                Launcher.Dispose();
                Directory.Delete(Data, recursive: true);
            }
        }
    }
}
