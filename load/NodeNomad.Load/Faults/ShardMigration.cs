using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NodeNomad.Contracts;
using NodeNomad.Load.Stores;

namespace NodeNomad.Load.Faults;

/// <summary>
/// Moves a replica of the first shard that some node does not hold to that node, with
/// <c>POST /api/v1/cluster/migrate</c>, and follows the move to its end, marking each step it reaches.
/// </summary>
internal sealed class ShardMigration(TimeSpan limit) : IFault
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Name => "shard migration";

    public string? Unsupported(IStoreDeployment deployment) =>
        deployment is NodeNomadDeployment ? null : $"{deployment.Store.Name} has no shards to move";

    public async Task RunAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var nodes = (NodeNomadDeployment)context.Deployment;
        var shards = await nodes.ShardsAsync(cancellationToken);
        var move = shards
            .Select(s => (Shard: s, Target: nodes.Members.Select(m => m.Id).FirstOrDefault(id => s.Replicas.All(r => r.NodeId != id))))
            .FirstOrDefault(m => m.Target is not null && m.Shard.LeaderId is not null);
        if (move.Target is null)
        {
            context.Mark("shard migration: not done, every node holds every shard");
            return;
        }

        var admin = nodes.Members[0].Url;
        var shardName = ShardNames.Of(move.Shard.Id);
        var started = Stopwatch.StartNew();
        HttpResponseMessage answer;
        // A 503 (the meta group did not commit the start in time) is retried, as an operator would.
        while (true)
        {
            answer = await context.Http.PostAsJsonAsync(new Uri(admin, "api/v1/cluster/migrate"), new { shardId = shardName, targetNodeId = move.Target }, Json, cancellationToken);
            if (answer.StatusCode != HttpStatusCode.ServiceUnavailable || started.Elapsed > TimeSpan.FromSeconds(30))
            {
                break;
            }

            answer.Dispose();
            await Task.Delay(200, cancellationToken);
        }

        using (answer)
        {
            if (answer.StatusCode != HttpStatusCode.Accepted)
            {
                context.Mark($"migrate {shardName} refused: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync(cancellationToken)}");
                return;
            }

            var migration = (await answer.Content.ReadFromJsonAsync<MigrationInfo>(Json, cancellationToken))!;
            context.Mark($"migrate {shardName} to {move.Target} started");
            var marked = 0;
            while (true)
            {
                foreach (var step in migration.Steps.Skip(marked))
                {
                    context.Mark($"{shardName}: {step.State}");
                }

                marked = migration.Steps.Count;
                if (MigrationStates.IsFinal(migration.State) || started.Elapsed > limit)
                {
                    break;
                }

                await Task.Delay(100, cancellationToken);
                migration = (await context.Http.GetFromJsonAsync<MigrationInfo>(new Uri(admin, $"api/v1/cluster/migrations/{migration.Id}"), Json, cancellationToken))!;
            }

            context.Mark(MigrationStates.IsFinal(migration.State)
                ? $"migrate {shardName} {migration.State} after {started.Elapsed.TotalSeconds:F1} s"
                : $"migrate {shardName} still {migration.State} after {limit.TotalSeconds:F0} s; the load did not wait for it");
        }
    }
}
