using System.Net;
using System.Net.Http.Json;
using NodeNomad.Contracts;
using NodeNomad.Testing;

namespace NodeNomad.Node.Tests;

/// <summary>What the migration tests ask of a running cluster: shards, migrations, replicas' digests, and waiting on conditions.</summary>
internal static class MigrationProbe
{
    internal static readonly TimeSpan MoveTimeout = TimeSpan.FromSeconds(90);

    internal static HttpClient HttpTo(NodeProcess node) => new() { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromSeconds(15) };

    internal static async Task<ShardInfo> ShardAsync(HttpClient http, int id)
    {
        ShardInfo? shard = null;
        await Eventually(async () =>
        {
            shard = (await http.GetFromJsonAsync<ShardInfo[]>("/api/v1/cluster/shards", Json.Options))!.Single(s => s.Id == id);
            return shard.LeaderId is not null;
        }, $"shard {id} has a leader");
        return shard!;
    }

    internal static async Task<MigrationInfo> WaitForEndAsync(HttpClient http, string id)
    {
        MigrationInfo? migration = null;
        await Eventually(async () =>
        {
            // The node asked may not have applied the start yet (the meta leader accepted it): a 404 means not yet.
            using var response = await http.GetAsync($"/api/v1/cluster/migrations/{id}");
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }

            migration = await response.Content.ReadFromJsonAsync<MigrationInfo>(Json.Options);
            return MigrationStates.IsFinal(migration!.State);
        }, $"{id} ends", MoveTimeout);
        return migration!;
    }

    /// <summary>Once writes stop, the replicas of the shard reach the same applied index and hold the same contents.</summary>
    internal static async Task ReplicasAgreeAsync(LocalCluster cluster, int shardId, IReadOnlyList<string> holders)
    {
        ReplicaDigest[] digests = [];
        await Eventually(async () =>
        {
            digests = await Task.WhenAll(holders.Select(async holder =>
            {
                using var client = HttpTo(cluster.Nodes.Single(n => n.NodeId == holder));
                return (await client.GetFromJsonAsync<ReplicaDigest>($"/api/v1/cluster/shards/{shardId}/replica", Json.Options))!;
            }));
            return digests.Select(d => d.AppliedIndex).Distinct().Count() == 1;
        }, "every replica applied the same entries");
        digests.Select(d => d.Digest).Distinct().Count().ShouldBe(1, string.Join(", ", digests.Select(d => $"{d.NodeId}: {d.Digest} at {d.AppliedIndex}")));
    }

    internal static async Task ShouldBeProblemAsync(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldBe(status, body);
            response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
            body.ShouldContain(reason, Case.Insensitive);
        }
    }

    internal static Task Eventually(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) => Eventually(condition, () => what, timeout);

    /// <summary>Waits for <paramref name="condition"/>; on a timeout, <paramref name="what"/> is asked then, so it can say what was seen last.</summary>
    internal static async Task Eventually(Func<Task<bool>> condition, Func<string> what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new ShouldAssertException($"Timed out waiting until {what()}.");
    }
}
