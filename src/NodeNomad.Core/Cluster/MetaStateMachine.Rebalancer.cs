using NodeNomad.Contracts;

namespace NodeNomad.Core.Cluster;

// The load-based rebalancer's settings, and the leadership hand-overs it asks of shard leaders.
public sealed partial class MetaStateMachine
{
    private string? SetRebalancer(long index, SetRebalancerSettings set)
    {
        if (set.Settings is null)
        {
            return "the rebalancer's settings are missing.";
        }

        var problems = set.Settings.Problems();
        if (problems.Count > 0)
        {
            return string.Join(" ", problems.Select(p => p.Problem));
        }

        Map = Map with { Rebalancing = set.Settings, Version = index };
        return null;
    }

    private string? HandOver(long index, HandOverLeadership command)
    {
        var handover = command.Handover;
        if (handover is null || Map.Shard(handover.ShardId) is not { } shard)
        {
            return $"shard {handover?.ShardId} does not exist (the cluster has {Map.Shards.Count}).";
        }

        if (!shard.Replicas.Contains(handover.Target))
        {
            return $"{handover.Target} holds no voting replica of {ShardNames.Of(shard.Id)} (its replicas: {string.Join(", ", shard.Replicas)}).";
        }

        Map = Map with
        {
            Handovers = [.. Map.Handovers.Where(h => h.ShardId != handover.ShardId).Append(handover).OrderBy(h => h.ShardId)],
            Version = index,
        };
        return null;
    }
}
