using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using NodeNomad.Contracts;

namespace NodeNomad.Launcher.Tests;

/// <summary>
/// The convergence test on real processes: the launcher's cluster of four nodes and sixteen shards with the rebalancer's
/// default settings (a round every 10 s, cooldown 120 s), under writes of which 80 % go to four shards that one node leads. The load each node serves is
/// computed from the test's own rates and the leaders the cluster reports (not from the rebalancer's figures, which it
/// prints beside them): the most loaded node comes within 1.3× the mean within 60 s of the load starting, and in the
/// following 90 s of the same load no shard moves more than once and the balance holds. Zero client errors, and every
/// acknowledged write reads back. (The five simulated minutes, and a load that comes and goes, are proved in the
/// simulator's <c>ConvergenceSeedsTests</c>.)
/// </summary>
[Collection(LaunchedClusters.Name)]
public sealed class AHotSpot(ITestOutputHelper output)
{
    private const int Nodes = 4;
    private const int Shards = 16;
    private const int HotShards = 4;
    private const double HotShare = 0.8;
    private const double Bound = 1.3;
    private static readonly TimeSpan ConvergeWithin = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StableFor = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Settling = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task an_80_percent_skew_on_one_nodes_shards_is_balanced_within_60_s_and_then_left_alone()
    {
        var basePort = LauncherProcess.FreePortRange(Nodes);
        var data = Directory.CreateTempSubdirectory("nodenomad-launcher-").FullName;
        try
        {
            using var launcher = LauncherProcess.Start(
                "--nodes", Invariant($"{Nodes}"), "--shards", Invariant($"{Shards}"), "--base-port", Invariant($"{basePort}"),
                "--peer-base-port", Invariant($"{basePort + 100}"), "--no-console", "--data", data);
            (await launcher.WaitForLineAsync("Press Ctrl+C", TimeSpan.FromSeconds(180))).ShouldBeTrue(launcher.Output);
            using var view = new ClusterView(basePort + 1);
            // At rest, and with the leaderships spread by count (each node within one of its share, as the placement driver keeps them), so that the placement
            // driver has nothing left to move when the load starts.
            await ClusterView.UntilAsync("the cluster is at rest with its leaderships spread", Settling, async () =>
                await view.UnsettledAsync() ?? Unspread(await view.ShardsAsync()));
            using var http = new HttpClient { BaseAddress = new Uri(Invariant($"http://localhost:{basePort + 1}")), Timeout = TimeSpan.FromSeconds(10) };
            var settings = (await http.GetFromJsonAsync<RebalancerInfo>(new Uri("/api/v1/cluster/rebalancer", UriKind.Relative)))!.Settings;
            settings.Enabled.ShouldBeTrue("the rebalancer is on by default");

            // A shard whose leadership the placement driver moved within the cooldown is not the rebalancer's to move: the
            // load starts once no leadership has moved for a whole cooldown, so every shard is free to go.
            var quietSince = Stopwatch.GetTimestamp();
            var before = Leaders(await view.ShardsAsync());
            await ClusterView.UntilAsync("no leadership moves for a whole cooldown", Settling + TimeSpan.FromSeconds(settings.CooldownSeconds), async () =>
            {
                var now = Leaders(await view.ShardsAsync());
                if (now.Count != Shards || now.Any(l => before.GetValueOrDefault(l.Key) != l.Value))
                {
                    (before, quietSince) = (now, Stopwatch.GetTimestamp());
                }

                var quiet = Stopwatch.GetElapsedTime(quietSince);
                return quiet.TotalSeconds > settings.CooldownSeconds + 5 ? null : Invariant($"quiet for {quiet.TotalSeconds:0} s");
            });

            // The hot spot: four shards the busiest leader leads.
            var shards = await view.ShardsAsync();
            var hotNode = shards.GroupBy(s => s.LeaderId!).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First();
            hotNode.Count().ShouldBeGreaterThanOrEqualTo(HotShards, Describe(shards));
            var hot = hotNode.Select(s => s.Id).Order().Take(HotShards).ToArray();
            var cold = shards.Select(s => s.Id).Except(hot).Order().ToArray();
            var ranges = shards.ToDictionary(s => s.Id, s => (Start: Hex(s.RangeStart), End: Hex(s.RangeEnd)));
            var rates = shards.ToDictionary(s => s.Id, s => hot.Contains(s.Id) ? HotShare / HotShards : (1 - HotShare) / cold.Length);
            output.WriteLine(Invariant($"hot: {string.Join(", ", hot.Select(ShardNames.Of))}, led by {hotNode.Key}; {Ratio(Leaders(shards), rates):0.00}× the mean at the start"));

            // Four loops, one write per 15 ms each: of every five writes, four go to a hot shard and one to a cold one.
            string KeyOf(string prefix, int loop, int i)
            {
                var shard = i % 5 < 4 ? hot[(loop + i) % hot.Length] : cold[((loop * 7) + (i / 5)) % cold.Length];
                for (var n = 0; ; n++)
                {
                    var key = Invariant($"{prefix}/{loop}/{i}/{n}");
                    var position = KeyPosition.Of(key);
                    if (position >= ranges[shard].Start && position <= ranges[shard].End)
                    {
                        return key;
                    }
                }
            }

            var leaderChanges = new Dictionary<int, List<(TimeSpan At, string Leader)>>();
            var last = Leaders(shards);
            var started = Stopwatch.GetTimestamp();
            TimeSpan? converged = null;
            var ratio = double.NaN;
            await using (var load = WriterLoad.Start(basePort + 1, "hot", 4, TimeSpan.FromMilliseconds(15), KeyOf))
            {
                while (Stopwatch.GetElapsedTime(started) < (converged ?? ConvergeWithin) + (converged is null ? TimeSpan.Zero : StableFor))
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
                    var now = Stopwatch.GetElapsedTime(started);
                    ShardInfo[] seen;
                    try
                    {
                        seen = await view.ShardsAsync();
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        output.WriteLine(Invariant($"t={now.TotalSeconds:0} s: the shards could not be read: {e.Message}"));
                        continue;
                    }

                    var leaders = Leaders(seen);
                    foreach (var (shard, leader) in leaders.Where(l => last.GetValueOrDefault(l.Key) != l.Value))
                    {
                        (leaderChanges.TryGetValue(shard, out var list) ? list : leaderChanges[shard] = []).Add((now, leader));
                        output.WriteLine(Invariant($"t={now.TotalSeconds:0} s: {ShardNames.Of(shard)} led by {leader} (was {last.GetValueOrDefault(shard) ?? "none"})"));
                    }

                    last = new Dictionary<int, string>(leaders.Concat(last.Where(l => !leaders.ContainsKey(l.Key))));
                    ratio = Ratio(last, rates);
                    if (converged is null && ratio <= Bound)
                    {
                        converged = now;
                        var measured = (await http.GetFromJsonAsync<RebalancerInfo>(new Uri("/api/v1/cluster/rebalancer", UriKind.Relative)))!.Nodes;
                        output.WriteLine(Invariant($"t={now.TotalSeconds:0} s: within {Bound}× the mean ({ratio:0.00}×); the rebalancer measures {string.Join(", ", measured.Select(n => $"{n.NodeId} {n.Ratio:0.00}×"))}"));
                    }
                }

                await load.StopAsync();
                output.WriteLine(Invariant($"{load.Acknowledged.Count} writes acknowledged, {load.Errors.Count} errors"));
                var explained = (await http.GetFromJsonAsync<RebalancerDecisionInfo[]>(new Uri("/api/v1/cluster/rebalancer/decisions", UriKind.Relative)))!;
                foreach (var decision in explained.Take(20))
                {
                    output.WriteLine(Invariant($"{decision.At:HH:mm:ss} {decision.Action}: {decision.Reason} | rejected: {string.Join("; ", decision.Rejected)}"));
                }

                converged.ShouldNotBeNull(Invariant($"the most loaded node was still at {ratio:0.00}× the mean {ConvergeWithin.TotalSeconds:0} s after the load started; ") + Describe(await view.ShardsAsync()));
                var movedAfter = leaderChanges.Where(c => c.Value.Count(m => m.At > converged.Value) > 1).Select(c => ShardNames.Of(c.Key)).ToList();
                movedAfter.ShouldBeEmpty("no shard's leadership moves more than once once balanced");
                ratio.ShouldBeLessThanOrEqualTo(Bound, "the balance holds under the same load");
                var migrations = await view.MigrationsAsync();
                migrations.GroupBy(m => m.Shard).Where(g => g.Count() > 1).Select(g => g.Key).ShouldBeEmpty("no shard's replica moves more than once");
                var decisions = (await http.GetFromJsonAsync<RebalancerDecisionInfo[]>(new Uri("/api/v1/cluster/rebalancer/decisions", UriKind.Relative)))!;
                decisions.ShouldContain(d => d.SourceNodeId == hotNode.Key && d.Reason.Contains("the mean", StringComparison.Ordinal), "a move off the hot node says why");
                load.Errors.ShouldBeEmpty(string.Join('\n', load.Errors.Take(10)));
                (await load.UnreadableAsync()).ShouldBeEmpty();
            }

            launcher.Interrupt();
            (await launcher.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBe(0, launcher.Output);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>The largest share of the load one node leads, over the mean share.</summary>
    private static double Ratio(IReadOnlyDictionary<int, string> leaders, IReadOnlyDictionary<int, double> rates)
    {
        var byNode = leaders.GroupBy(l => l.Value).ToDictionary(g => g.Key, g => g.Sum(l => rates[l.Key]));
        return byNode.Values.DefaultIfEmpty(0).Max() / (rates.Values.Sum() / Nodes);
    }

    private static string? Unspread(IReadOnlyCollection<ShardInfo> shards)
    {
        var counts = shards.Where(s => s.LeaderId is not null).GroupBy(s => s.LeaderId!).ToDictionary(g => g.Key, g => g.Count());
        return counts.Count == Nodes && counts.Values.All(c => Math.Abs(c - (Shards / Nodes)) <= 1)
            ? null
            : "leaderships by node: " + string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => Invariant($"{c.Key} {c.Value}")));
    }

    private static Dictionary<int, string> Leaders(IEnumerable<ShardInfo> shards) =>
        shards.Where(s => s.LeaderId is not null).ToDictionary(s => s.Id, s => s.LeaderId!);

    private static string Describe(IEnumerable<ShardInfo> shards) =>
        string.Join("; ", shards.Select(s => $"{s.Name} led by {s.LeaderId ?? "none"}"));

    private static ulong Hex(string text) => ulong.Parse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
