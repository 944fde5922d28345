using System.Globalization;
using MudBlazor;
using NodeNomad.Console.Fleet;
using NodeNomad.Contracts;

namespace NodeNomad.Console.Components;

/// <summary>
/// How the pages show a node's membership, and when they offer to drain, undrain or remove it: an action the cluster
/// would refuse (<c>POST …/drain</c>, <c>…/undrain</c>, <c>DELETE /api/v1/cluster/nodes/{id}</c>) is not offered, and the
/// reason is the one the cluster would give.
/// </summary>
public static class MembershipDisplay
{
    /// <summary>Why <paramref name="node"/> cannot be drained, or null when it can: only an active node drains.</summary>
    public static string? DrainRefusal(NodeView node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.Membership switch
        {
            NodeMemberships.Active => null,
            NodeMemberships.Draining => $"{node.Id} is already draining.",
            NodeMemberships.Drained => $"{node.Id} is already drained: undrain it to bring it back, or remove it.",
            _ => $"{node.Id} was removed from the cluster.",
        };
    }

    /// <summary>Why <paramref name="node"/> cannot be undrained, or null when it can: only a draining or drained node comes back.</summary>
    public static string? UndrainRefusal(NodeView node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.Membership switch
        {
            NodeMemberships.Draining or NodeMemberships.Drained => null,
            NodeMemberships.Removed => $"{node.Id} was removed from the cluster; it cannot come back under that name.",
            _ => $"{node.Id} is {node.Membership}: only a draining or drained node can be undrained.",
        };
    }

    /// <summary>
    /// Why <paramref name="node"/> cannot be removed, or null when it can: a node holding no replica that is drained,
    /// draining or down (its replicas re-created elsewhere), and not the last node of <paramref name="fleet"/>.
    /// </summary>
    public static string? RemoveRefusal(NodeView node, FleetSnapshot fleet)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(fleet);
        var down = node.State == NodeStates.Down;
        if (node.Membership == NodeMemberships.Removed)
        {
            return $"{node.Id} was removed from the cluster already.";
        }

        if (node.Replicas.Count > 0)
        {
            var held = string.Join(", ", node.Replicas.Select(ShardNames.Of));
            return down
                ? $"{node.Id} is down and still holds replicas of {held}; they are re-created elsewhere once it has been down for DOWN_AFTER. Remove it when it holds none."
                : $"{node.Id} still holds replicas of {held}: drain it first.";
        }

        if (node.Membership == NodeMemberships.Active && !down)
        {
            return $"{node.Id} is active and up: drain it first, so it takes no new replicas.";
        }

        return fleet.Nodes.Count(n => n.Membership != NodeMemberships.Removed) <= 1 ? $"{node.Id} is the last node of the cluster." : null;
    }

    /// <summary>What a drain of <paramref name="node"/> does, for its confirmation: "Its 4 leaderships and 6 replicas move to other nodes…".</summary>
    public static string DrainPrompt(NodeView node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.Leaderships.Count == 0 && node.Replicas.Count == 0)
        {
            return "It holds no leadership and no replica: it is drained at the placement driver's next round, and takes no new replicas until it is undrained.";
        }

        return $"Its {Count(node.Leaderships.Count, "leadership")} and {Count(node.Replicas.Count, "replica")} move to other nodes, "
            + "leaderships first; it takes no new replicas until it is undrained. A drain that cannot finish waits and says why.";
    }

    /// <summary>What an undrain of <paramref name="node"/> does, for its confirmation.</summary>
    public static string UndrainPrompt(NodeView node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.Membership == NodeMemberships.Draining
            ? "Its drain stops: nothing more moves off it, and it takes part in placement again, receiving its share of replicas."
            : "It takes part in placement again and receives its share of replicas.";
    }

    /// <summary>What a removal of <paramref name="node"/> does, for its confirmation.</summary>
    public static string RemovePrompt(NodeView node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return $"It leaves the cluster map and the meta group for good: it may not join again under the name {node.Id}.";
    }

    /// <summary>
    /// What a draining node has left and why it waits, in the cluster's words when it said them ("2 replica(s) and 0
    /// leadership(s) left; waiting: …"), else counted from what the console shows; null for a node that is not draining.
    /// </summary>
    public static string? Progress(NodeView node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.Membership != NodeMemberships.Draining)
        {
            return null;
        }

        return node.Drain is { Length: > 0 } said
            ? said
            : $"{Count(node.Replicas.Count, "replica")} and {Count(node.Leaderships.Count, "leadership")} left";
    }

    /// <summary>The colour of a membership's chip: plain when active, amber draining, blue drained, red removed.</summary>
    public static Color ColorOf(string membership) => membership switch
    {
        NodeMemberships.Draining => Color.Warning,
        NodeMemberships.Drained => Color.Info,
        NodeMemberships.Removed => Color.Error,
        _ => Color.Default,
    };

    /// <summary>A count and its noun, e.g. <c>1 replica</c>, <c>4 leaderships</c>.</summary>
    public static string Count(int count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? string.Empty : "s")}");
}
