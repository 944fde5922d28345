using System.Globalization;
using NodeNomad.Contracts;

namespace NodeNomad.Core.Cluster;

/// <summary>
/// The load-based rebalancer's policy: a pure function from the cluster map, the load of every node and replica, the
/// settings and the time to the round's decisions. It balances one dimension of load per unit of node weight. A node
/// at <see cref="RebalancerSettings.Threshold"/> times the mean or above is hot, and stays hot until it falls to
/// <see cref="RebalancerSettings.Hysteresis"/> (and, to ignore noise, only when it is at least
/// <see cref="RebalancerDimensions.Floor"/> above its share); the hottest is relieved one move per round, cheapest first: a
/// leadership it holds goes to another voter of the shard, else one of its replicas goes to the coolest eligible node
/// that lacks it. A move is never made that would leave its target as hot as the source was (so load only flows
/// downhill and moves cannot cycle), nor for a shard that moved within its cooldown, nor beyond the cap of moves in
/// flight. A leader replica that moved is followed by its leadership, which the migration had to hand to another
/// voter on the way. Every move considered and not made is explained.
/// </summary>
public static class Rebalancer
{
    /// <summary>The reason of the migrations it starts.</summary>
    public const string Reason = "rebalance";

    /// <summary>Who the migrations it starts are requested by.</summary>
    public const string RequestedBy = "rebalancer";

    /// <summary>
    /// The least a move must take off its source, as a share of the mean: a replica that lost its leadership keeps a
    /// fading trace in smoothed figures, and moving it would cost a migration for nothing.
    /// </summary>
    public const double MinimumGain = 0.05;

    /// <summary>How many rejected moves a decision lists (a hot node on a large cluster may have hundreds); the rest are counted.</summary>
    public const int RejectionsKept = 20;

    /// <summary>Whether <paramref name="node"/> may receive load: an active member that is up.</summary>
    public static bool IsEligibleTarget(NodeRecord node, RebalancerLoad load)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(load);
        return node.Membership == NodeRecord.Active && load.Node(node.Id) is { IsUp: true };
    }

    /// <summary>One round: the decisions for <paramref name="map"/> under <paramref name="load"/> at <paramref name="now"/>.</summary>
    public static RebalancerPlan Decide(ClusterMap map, RebalancerLoad load, RebalancerSettings settings, long now, RebalancerMemory memory)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(load);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(memory);
        if (!settings.Enabled || !map.IsBootstrapped)
        {
            return new RebalancerPlan([], RebalancerMemory.Empty);
        }

        var round = new Round(map, load, settings, now);
        if (round.Eligible.Count < 2 || round.Total <= 0)
        {
            return new RebalancerPlan([], RebalancerMemory.Empty);
        }

        var decisions = new List<RebalancerDecision>();
        var balancing = new List<string>();
        foreach (var node in round.Eligible)
        {
            var ratio = round.Ratio(node.Id);
            var was = memory.Balancing.Contains(node.Id);
            if ((ratio >= settings.Threshold && round.Excess(node.Id) >= RebalancerDimensions.Floor(settings.Dimension)) || (was && ratio > settings.Hysteresis))
            {
                balancing.Add(node.Id);
            }
            else if (was)
            {
                decisions.Add(round.Decision(decisions.Count, RebalancerDecision.Settled, null, node.Id, null,
                    Say($"{node.Id} is at {X(ratio)} the mean {round.Unit}, down to the hysteresis bound {X(settings.Hysteresis)}: it is no longer balanced"), []));
            }
        }

        var next = new RebalancerMemory(balancing);
        var inFlight = round.MovesInFlight();
        var rejected = new List<string>();
        var followUp = round.FollowUp(rejected);
        if (followUp is not null || balancing.Count > 0)
        {
            if (inFlight >= settings.MaxConcurrentMoves)
            {
                var what = followUp is not null ? Say($"a leadership is to follow its replica to {followUp.Value.Target}") : round.HotSentence(Hottest(round, balancing));
                decisions.Add(round.Decision(decisions.Count, RebalancerDecision.Hold, followUp?.ShardId, followUp?.Source ?? Hottest(round, balancing), null,
                    Say($"{what}; {inFlight} move(s) in flight, the cap is {settings.MaxConcurrentMoves}: waiting"), []));
                return new RebalancerPlan(decisions, next);
            }

            if (followUp is { } f)
            {
                decisions.Add(round.Decision(decisions.Count, RebalancerDecision.Leadership, f.ShardId, f.Source, f.Target, f.Sentence, rejected));
                return new RebalancerPlan(decisions, next);
            }
        }

        if (balancing.Count == 0)
        {
            return new RebalancerPlan(decisions, next);
        }

        var source = Hottest(round, balancing);
        var head = round.HotSentence(source);
        var move = round.BestLeadership(source, rejected) ?? round.BestReplica(source, rejected);
        decisions.Add(move is { } m
            ? round.Decision(decisions.Count, m.Action, m.ShardId, source, m.Target, $"{head}; {m.Sentence}", rejected)
            : round.Decision(decisions.Count, RebalancerDecision.Hold, null, source, null, $"{head}, but no move would help: {rejected.Count} considered and rejected", rejected));
        return new RebalancerPlan(decisions, next);
    }

    /// <summary>The meta command carrying out <paramref name="decision"/>, or null for one that moves nothing.</summary>
    public static MetaCommand? CommandFor(RebalancerDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return decision.Action switch
        {
            RebalancerDecision.Leadership => new HandOverLeadership(new LeadershipHandover(decision.ShardId!.Value, decision.Target!, $"{Reason} {decision.Id}", decision.At)),
            RebalancerDecision.Replica => new StartMigration(MigrationIdOf(decision), decision.ShardId!.Value, decision.Source!, decision.Target!, Reason, RequestedBy,
                decision.At, $"decision {decision.Id}: {decision.Reason}"),
            _ => null,
        };
    }

    /// <summary>The id of the migration a replica decision starts.</summary>
    public static string MigrationIdOf(RebalancerDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return "m-" + decision.Id;
    }

    /// <summary>When shard <paramref name="shardId"/> last moved (a migration of it ended or runs, its leadership was handed over), or null.</summary>
    public static long? LastMoved(ClusterMap map, int shardId, long now)
    {
        ArgumentNullException.ThrowIfNull(map);
        long? last = null;
        foreach (var migration in map.Migrations.Where(m => m.ShardId == shardId))
        {
            var at = migration.IsFinal ? migration.UpdatedAt : now;
            last = last is { } l ? Math.Max(l, at) : at;
        }

        foreach (var handover in map.Handovers.Where(h => h.ShardId == shardId))
        {
            last = last is { } l ? Math.Max(l, handover.At) : handover.At;
        }

        return last;
    }

    private static string Hottest(Round round, List<string> balancing) =>
        balancing.OrderByDescending(round.Ratio).ThenBy(id => id, StringComparer.Ordinal).First();

    /// <summary>A ratio as the decisions say it: "2.4×".</summary>
    internal static string X(double ratio) => ratio.ToString("0.0#", CultureInfo.InvariantCulture) + "×";

    private static string Say(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private readonly record struct Move(string Action, int ShardId, string Source, string Target, string Sentence, double Worst);

    /// <summary>One round's view: the eligible nodes, their loads and weights, and the moves open to it.</summary>
    private sealed class Round
    {
        private readonly ClusterMap _map;
        private readonly RebalancerLoad _load;
        private readonly RebalancerSettings _settings;
        private readonly long _now;
        private readonly Dictionary<string, double> _loads;
        private readonly Dictionary<string, int> _weights;
        private readonly double _perUnit;

        public Round(ClusterMap map, RebalancerLoad load, RebalancerSettings settings, long now)
        {
            (_map, _load, _settings, _now) = (map, load, settings, now);
            Eligible = [.. map.Nodes.Where(n => IsEligibleTarget(n, load))];
            _loads = Eligible.ToDictionary(n => n.Id, n => load.Node(n.Id)!.In(settings.Dimension));
            _weights = Eligible.ToDictionary(n => n.Id, settings.WeightOf);
            Total = _loads.Values.Sum();
            _perUnit = Total / Math.Max(1, _weights.Values.Sum());
        }

        public List<NodeRecord> Eligible { get; }

        public double Total { get; }

        public string Unit => RebalancerDimensions.Unit(_settings.Dimension);

        public double Ratio(string nodeId) => RatioWith(nodeId, _loads[nodeId]);

        /// <summary>How far <paramref name="nodeId"/>'s load lies above its share of the total.</summary>
        public double Excess(string nodeId) => _loads[nodeId] - (_perUnit * _weights[nodeId]);

        private double RatioWith(string nodeId, double load) => _perUnit <= 0 ? 0 : load / _weights[nodeId] / _perUnit;

        public string HotSentence(string nodeId) => Say($"{nodeId} serves {X(Ratio(nodeId))} the mean {Unit}");

        public RebalancerDecision Decision(int index, string action, int? shardId, string? source, string? target, string reason, List<string> rejected) =>
            new(index == 0 ? Say($"r{_now}") : Say($"r{_now}-{index}"), _now, action, _settings.Dimension, shardId, source, target, reason,
                [.. Eligible.Select(n => new RebalancerFigure(n.Id, Math.Round(_loads[n.Id], 2), _weights[n.Id], Math.Round(Ratio(n.Id), 2)))],
                rejected.Count <= RejectionsKept ? [.. rejected] : [.. rejected.Take(RejectionsKept), Say($"and {rejected.Count - RejectionsKept} more moves, rejected alike")]);

        /// <summary>The rebalancer's moves not yet finished: its migrations in flight, and handovers the shard's leader has not carried out yet.</summary>
        public int MovesInFlight() =>
            _map.Migrations.Count(m => !m.IsFinal && m.Reason == Reason)
            + _map.Handovers.Count(h => h.Reason.StartsWith(Reason, StringComparison.Ordinal) && h.IsFresh(_now) && _load.LeaderOf(h.ShardId) != h.Target);

        private bool IsEligible(string nodeId) => _loads.ContainsKey(nodeId);

        private string? CoolingDown(int shardId)
        {
            if (LastMoved(_map, shardId, _now) is not { } last || _now - last >= _settings.CooldownSeconds * 1000L)
            {
                return null;
            }

            return Say($"{ShardNames.Of(shardId)} moved {(_now - last) / 1000} s ago; its cooldown is {_settings.CooldownSeconds} s");
        }

        /// <summary>
        /// A leader replica the rebalancer moved hands its leadership to another voter during the migration; once the
        /// migration is done, the leadership follows the replica to its new node (once, within the cooldown).
        /// </summary>
        public Move? FollowUp(List<string> rejected)
        {
            if (!RebalancerDimensions.FollowsLeadership(_settings.Dimension))
            {
                return null;
            }

            foreach (var migration in _map.Migrations.Where(m => m.Reason == Reason && m.State == MigrationStates.Done
                && m.Steps.Any(s => s.State == MigrationStates.TransferringLeadership) && _now - m.UpdatedAt < _settings.CooldownSeconds * 1000L))
            {
                var shard = _map.Shard(migration.ShardId);
                var leader = _load.LeaderOf(migration.ShardId);
                if (shard is null || leader is null || leader == migration.Target || !shard.Replicas.Contains(migration.Target)
                    || _map.Handovers.Any(h => h.ShardId == migration.ShardId && h.At >= migration.UpdatedAt) || _map.MovingShard(migration.ShardId) is not null)
                {
                    continue;
                }

                var name = ShardNames.Of(migration.ShardId);
                if (!IsEligible(migration.Target) || !IsEligible(leader))
                {
                    rejected.Add(Say($"{name}'s leadership stays with {leader}: {migration.Target} or {leader} is not an eligible node now"));
                    continue;
                }

                var delta = Carried(leader, migration.Target, migration.ShardId);
                var before = Ratio(leader);
                var after = RatioWith(migration.Target, _loads[migration.Target] + delta);
                if (delta > 0 && after >= before)
                {
                    rejected.Add(Say($"{name}'s leadership stays with {leader}: following its replica to {migration.Target} would put it at {X(after)} the mean, no cooler than {leader}'s {X(before)}"));
                    continue;
                }

                return new Move(RebalancerDecision.Leadership, migration.ShardId, leader, migration.Target,
                    Say($"{migration.Target} received {name}'s leader replica in {migration.Id}; its leadership follows it from {leader}"), after);
            }

            return null;
        }

        /// <summary>What moving the leadership of <paramref name="shardId"/> from <paramref name="from"/> to <paramref name="to"/> shifts between them.</summary>
        private double Carried(string from, string to, int shardId)
        {
            var dimension = _settings.Dimension;
            if (!RebalancerDimensions.FollowsLeadership(dimension))
            {
                return 0;
            }

            var leading = _load.Node(from)?.Replica(shardId)?.In(dimension) ?? 0;
            var following = _load.Node(to)?.Replica(shardId)?.In(dimension) ?? 0;
            return leading - following;
        }

        public Move? BestLeadership(string source, List<string> rejected)
        {
            if (!RebalancerDimensions.FollowsLeadership(_settings.Dimension))
            {
                return null;
            }

            Move? best = null;
            var sourceRatio = Ratio(source);
            var led = _load.Node(source)!.Replicas.Where(r => r.Leads && sourceRatio - RatioWith(source, _loads[source] - r.In(_settings.Dimension)) >= MinimumGain)
                .OrderByDescending(r => r.In(_settings.Dimension)).ThenBy(r => r.ShardId);
            foreach (var replica in led.Where(r => _map.Shard(r.ShardId) is not null))
            {
                var name = ShardNames.Of(replica.ShardId);
                if (Unmovable(replica.ShardId) is { } why)
                {
                    rejected.Add(Say($"leadership of {name}: {why}"));
                    continue;
                }

                foreach (var voter in _map.Shards[replica.ShardId].Replicas.Where(v => v != source).Order(StringComparer.Ordinal))
                {
                    if (!IsEligible(voter))
                    {
                        rejected.Add(Say($"leadership of {name} to {voter}: {voter} is not an eligible target (active and up)"));
                        continue;
                    }

                    var delta = Carried(source, voter, replica.ShardId);
                    var after = RatioWith(voter, _loads[voter] + delta);
                    if (sourceRatio - RatioWith(source, _loads[source] - delta) < MinimumGain)
                    {
                        continue;
                    }

                    if (after >= sourceRatio)
                    {
                        rejected.Add(Say($"leadership of {name} to {voter}: {voter} would serve {X(after)} the mean, no cooler than {source}'s {X(sourceRatio)}"));
                        continue;
                    }

                    var worst = Math.Max(after, RatioWith(source, _loads[source] - delta));
                    if (best is null || worst < best.Value.Worst)
                    {
                        best = new Move(RebalancerDecision.Leadership, replica.ShardId, source, voter,
                            Say($"moving the leadership of {name} to {voter} ({source} to {X(RatioWith(source, _loads[source] - delta))}, {voter} to {X(after)})"), worst);
                    }
                }
            }

            return best;
        }

        public Move? BestReplica(string source, List<string> rejected)
        {
            Move? best = null;
            var sourceRatio = Ratio(source);
            var dimension = _settings.Dimension;
            var held = _map.Shards.Where(s => s.Replicas.Contains(source))
                .Select(s => (Shard: s, Load: _load.Node(source)!.Replica(s.Id)?.In(dimension) ?? 0))
                .Where(s => sourceRatio - RatioWith(source, _loads[source] - s.Load) >= MinimumGain)
                .OrderByDescending(s => s.Load).ThenBy(s => s.Shard.Id);
            foreach (var (shard, load) in held)
            {
                var name = ShardNames.Of(shard.Id);
                if (Unmovable(shard.Id) is { } why)
                {
                    rejected.Add(Say($"replica of {name}: {why}"));
                    continue;
                }

                if (shard.Replicas.FirstOrDefault(r => r != source && _load.Node(r) is not { IsUp: true }) is { } down)
                {
                    rejected.Add(Say($"replica of {name}: its replica on {down} is down, and moving another would risk its majority"));
                    continue;
                }

                var target = Eligible.Where(n => !shard.IsHeldBy(n.Id))
                    .Select(n => (n.Id, After: RatioWith(n.Id, _loads[n.Id] + load)))
                    .OrderBy(t => t.After).ThenBy(t => t.Id, StringComparer.Ordinal)
                    .Select(t => ((string Id, double After)?)t).FirstOrDefault();
                if (target is not { } t)
                {
                    rejected.Add(Say($"replica of {name}: every eligible node holds one"));
                    continue;
                }

                if (t.After >= sourceRatio)
                {
                    rejected.Add(Say($"replica of {name} to {t.Id}: {t.Id} would serve {X(t.After)} the mean, no cooler than {source}'s {X(sourceRatio)}"));
                    continue;
                }

                var worst = Math.Max(t.After, RatioWith(source, _loads[source] - load));
                if (best is null || worst < best.Value.Worst)
                {
                    best = new Move(RebalancerDecision.Replica, shard.Id, source, t.Id,
                        Say($"moving its replica of {name} to {t.Id}, the coolest node without one ({source} to {X(RatioWith(source, _loads[source] - load))}, {t.Id} to {X(t.After)})"), worst);
                }
            }

            return best;
        }

        private string? Unmovable(int shardId) =>
            _map.MovingShard(shardId) is { } moving ? Say($"{ShardNames.Of(shardId)} is moving already ({moving.Id}, {moving.State})") : CoolingDown(shardId);
    }
}
