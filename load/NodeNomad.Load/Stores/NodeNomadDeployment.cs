using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using NodeNomad.Contracts;

namespace NodeNomad.Load.Stores;

/// <summary>
/// A NodeNomad cluster started for a scenario (<see cref="LocalCluster"/>: free 127.0.0.1 ports, temporary data
/// folders), ready once every shard has a leader.
/// </summary>
internal sealed class NodeNomadDeployment : IStoreDeployment
{
    private static readonly TimeSpan LeadersLimit = TimeSpan.FromSeconds(60);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly LocalCluster cluster;
    private readonly HttpClient http;

    private NodeNomadDeployment(LocalCluster cluster, HttpClient http, string description)
    {
        this.cluster = cluster;
        this.http = http;
        Description = description;
        Members = [.. cluster.Nodes.Select(n => (n.NodeId, n.Url))];
        Nomad = new NodeNomadStore(http, [.. cluster.Nodes.Select(n => n.Url)]);
    }

    public IKeyValueStore Store => Nomad;

    public NodeNomadStore Nomad { get; }

    public string Description { get; }

    public IReadOnlyList<(string Id, Uri Url)> Members { get; }

    /// <summary>The node processes, for the faults that kill, pause or cut them.</summary>
    public LocalCluster Cluster => cluster;

    /// <param name="ownUsers">Runs each node as its own Unix user, so that partitions can cut its links.</param>
    public static async Task<NodeNomadDeployment> StartAsync(int nodes, int shards, HttpClient http, CancellationToken cancellationToken, bool ownUsers = false)
    {
        var dll = RepositoryLayout.Find().RequireNodeDll();
        var settings = new Dictionary<string, string>
        {
            ["SHARD_COUNT"] = shards.ToString(CultureInfo.InvariantCulture),
            ["REPLICATION_FACTOR"] = "3",
        };
        var cluster = await LocalCluster.StartAsync(dll, nodes, cancellationToken, settings, ownUsers);
        var description = string.Create(CultureInfo.InvariantCulture,
            $"NodeNomad: {nodes} nodes on 127.0.0.1, SHARD_COUNT={shards}, REPLICATION_FACTOR=3 ({RepositoryLayout.DescribeBuild(dll)})");
        return await new NodeNomadDeployment(cluster, http, description).ThenAsync(async deployment =>
        {
            await deployment.WaitForShardLeadersAsync(shards, cancellationToken);
            await deployment.Nomad.LearnShardsAsync(cancellationToken);
        });
    }

    /// <summary>The shards as the first node's map has them.</summary>
    public async Task<ShardInfo[]> ShardsAsync(CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<ShardInfo[]>(new Uri(cluster.Nodes[0].Url, "api/v1/cluster/shards"), Json, cancellationToken) ?? [];

    public Task<IReadOnlyList<string>> FindSilentMembersAsync(CancellationToken cancellationToken) =>
        MemberProbe.SilentAsync(Members, "health/live", cancellationToken);

    public ValueTask DisposeAsync() => cluster.DisposeAsync();

    private async Task WaitForShardLeadersAsync(int shards, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var seen = "no map yet";
        while (Stopwatch.GetElapsedTime(started) < LeadersLimit)
        {
            try
            {
                var map = await ShardsAsync(cancellationToken);
                if (map.Length == shards && map.All(s => s.LeaderId is not null))
                {
                    return;
                }

                seen = string.Create(CultureInfo.InvariantCulture, $"{map.Count(s => s.LeaderId is null)} of {map.Length} shards without a leader");
            }
            catch (Exception e) when (e is HttpRequestException or JsonException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                seen = e.Message;
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new BenchSetupException($"not every shard had a leader within {LeadersLimit.TotalSeconds} s: {seen}");
    }
}
