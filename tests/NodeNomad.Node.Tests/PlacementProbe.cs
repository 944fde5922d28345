using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using NodeNomad.Contracts;
using static NodeNomad.Node.Tests.MigrationProbe;

namespace NodeNomad.Node.Tests;

/// <summary>What the placement tests ask of a running cluster: its nodes, its shards, and a writer that keeps writing.</summary>
internal static class PlacementProbe
{
    /// <summary>Placement rounds twice a second, so the tests watch the driver rather than wait for it.</summary>
    internal static Dictionary<string, string> Settings(int shards, string downAfter = "5m") => new()
    {
        ["SHARD_COUNT"] = shards.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["REPLICATION_FACTOR"] = "3",
        ["PLACEMENT_INTERVAL_MS"] = "500",
        ["DOWN_AFTER"] = downAfter,
    };

    internal static async Task<NodeInfo> NodeAsync(HttpClient http, string id) =>
        (await http.GetFromJsonAsync<NodeInfo[]>("/api/v1/cluster/nodes", Json.Options))!.Single(n => n.Id == id);

    internal static async Task<ShardInfo[]> ShardsAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<ShardInfo[]>("/api/v1/cluster/shards", Json.Options))!;

    /// <summary>Every shard has three voters, none a learner, none on <paramref name="excluded"/>, and a leader.</summary>
    internal static async Task<bool> EveryShardAtFactorThreeAsync(HttpClient http, params string[] excluded)
    {
        var shards = await ShardsAsync(http);
        return shards.All(s => s.LeaderId is not null
            && s.Replicas.Count(r => r.Role != ReplicaRoles.Learner) == 3
            && s.Replicas.All(r => r.Role != ReplicaRoles.Learner && !excluded.Contains(r.NodeId)));
    }

    /// <summary>No migration is in flight: every move ended (the source of the last may still be cleaning up until then).</summary>
    internal static async Task<bool> NoMoveInFlightAsync(HttpClient http) =>
        (await MigrationsAsync(http)).All(m => MigrationStates.IsFinal(m.State));

    internal static async Task<MigrationInfo[]> MigrationsAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<MigrationInfo[]>("/api/v1/cluster/migrations", Json.Options))!;

    /// <summary>Writes unique keys through one node until stopped; keeps what was acknowledged and every failure.</summary>
    internal sealed class Writer : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _task;

        public Writer(HttpClient http, string prefix)
        {
            _task = Task.Run(async () =>
            {
                for (var i = 0; !_stop.IsCancellationRequested; i++)
                {
                    var key = $"{prefix}-{i}";
                    try
                    {
                        using var response = await http.PostAsJsonAsync("/api/v1/set", new SetRequest(key, "x"));
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            Written.Add(key);
                        }
                        else
                        {
                            Failures.Add($"{key}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        Failures.Add($"{key}: {e.Message}");
                    }
                }
            });
        }

        public ConcurrentBag<string> Written { get; } = [];

        public ConcurrentBag<string> Failures { get; } = [];

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await _task;
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _stop.Dispose();
        }
    }

    /// <summary>Every acknowledged key (a sample of them, and the first and last) reads back through <paramref name="http"/>.</summary>
    internal static async Task AcknowledgedWritesReadableAsync(HttpClient http, IReadOnlyCollection<string> written)
    {
        written.Count.ShouldBeGreaterThan(0);
        var keys = written.Order(StringComparer.Ordinal).ToList();
        foreach (var key in keys.Where((_, i) => i % 25 == 0).Append(keys[^1]))
        {
            (await http.GetAsync($"/api/v1/get/{key}")).StatusCode.ShouldBe(HttpStatusCode.OK, key);
        }
    }

    internal static Task WaitAsync(Func<Task<bool>> condition, string what) => Eventually(condition, what, MoveTimeout);
}
