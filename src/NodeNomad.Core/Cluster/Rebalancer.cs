using System.Globalization;
using NodeNomad.Contracts;

namespace NodeNomad.Core.Cluster;

/// <summary>
/// The load-based rebalancer's policy: a pure function from the cluster map, the load of every node and replica, the
/// settings and the time to the round's decisions. It balances one dimension of load per unit of node weight. A node
/// at <see cref="RebalancerSettings.Threshold"/> times the mean or above is hot, and stays hot until it falls to
/// <see cref="RebalancerSettings.Hysteresis"/> (and, to ignore noise, only when it is at least
/// <see cref="RebalancerDimensions.Floor"/> above its share); the hottest is relieved one move per round, cheapest first: a
/// leadership it holds goes to another voter of the shard, else a replica moves to the coolest eligible node that lacks
/// it. When the load is the leader's (requests, reads, writes), the replica that moves is a follower's and the
/// leadership follows it once it is there, so the leadership never passes through a third node; a lone voter's moves
/// with its leadership.
/// <para>
/// A move is made only when it takes at least <see cref="MinimumGain"/> off the source and every node it adds load to
/// ends cooler than the source was by that much and by half the load moved (so load only flows downhill, moves cannot
/// cycle, and noise in the figures cannot make two nodes trade places); never for a shard that moved
/// within its cooldown, nor back to a node the shard left within <see cref="ReturnCooldowns"/> cooldowns (a load that
/// comes and goes cannot make it flap), nor beyond the cap of moves in flight, which counts every driver's moves.
/// And it never leaves the counts for the placement driver to even out (<see cref="ReplicaCounts"/>,
/// <see cref="LeadershipCounts"/>): a move that would comes with an exchange that keeps both nodes' counts — the target
/// hands the source its least loaded leadership, or replica, that the source can take — or is not made. Every move
/// considered and not made is explained.
/// </para>
/// </summary>
public static class Rebalancer
{
    /// <summary>The reason of the migrations it starts.</summary>
    public const string Reason = "rebalance";

    /// <summary>Who the migrations it starts are requested by.</summary>
    public const string RequestedBy = "rebalancer";

    /// <summary>
    /// The least a move must take off its source, as a share of the mean, and the least by which every node it loads must
    /// end below the source: moving less is within the noise of the figures (a second's count of requests strays by a few
    /// per cent even after smoothing), and a move that small between two nodes of about the same load only swaps which of
    /// them is hotter, for the next round to swap back.
    /// </summary>
    public const double MinimumGain = 0.1;

    /// <summary>
    /// A move never sends a shard's leadership or replica back to the node it last left within this many cooldowns:
    /// under a load that comes and goes, the cooldown alone would let a shard go back and forth once per cooldown.
    /// </summary>
    public const int ReturnCooldowns = 5;

    /// <summary>How many exchanges of each kind are tried for a move that would upset the counts (one alone, or one of each kind together).</summary>
    public const int ExchangesTried = 3;

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
                var what = followUp is { } waiting ? Say($"a leadership is to follow its replica to {waiting.First.To}") : round.HotSentence(Hottest(round, balancing));
                decisions.Add(round.Decision(decisions.Count, RebalancerDecision.Hold, followUp?.First.ShardId, followUp?.First.From ?? Hottest(round, balancing), null,
                    Say($"{what}; {inFlight} move(s) in flight, the cap is {settings.MaxConcurrentMoves}: waiting"), []));
                return new RebalancerPlan(decisions, next);
            }

            if (followUp is { } f)
            {
                decisions.Add(round.Decision(decisions.Count, f.First, f.Sentence, rejected));
                return new RebalancerPlan(decisions, next);
            }
        }

        if (balancing.Count == 0)
        {
            return new RebalancerPlan(decisions, next);
        }

        var source = Hottest(round, balancing);
        var head = round.HotSentence(source);
        if ((round.BestLeadership(source, rejected) ?? round.BestReplica(source, rejected)) is not { } move)
        {
            decisions.Add(round.Decision(decisions.Count, RebalancerDecision.Hold, null, source, null, $"{head}, but no move would help: {rejected.Count} considered and rejected", rejected));
            return new RebalancerPlan(decisions, next);
        }

        decisions.Add(round.Decision(decisions.Count, move.First, $"{head}; {move.Sentence}", rejected));
        var first = decisions[^1].Id;
        foreach (var exchange in move.Steps.Skip(1))
        {
            // The other half of a swap: its own decision (and hand-over or migration), naming the first.
            decisions.Add(round.Decision(decisions.Count, exchange, Exchanged(move.First, exchange, first), []));
        }

        return new RebalancerPlan(decisions, next);
    }

    /// <summary>The meta command carrying out <paramref name="decision"/>, or null for one that moves nothing.</summary>
    public static MetaCommand? CommandFor(RebalancerDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return decision.Action switch
        {
            RebalancerDecision.Leadership => new HandOverLeadership(new LeadershipHandover(decision.ShardId!.Value, decision.Target!, $"{Reason} {decision.Id}", decision.At)
            {
                From = decision.Source,
            }),
            RebalancerDecision.Replica => new StartMigration(MigrationIdOf(decision), decision.ShardId!.Value, decision.ReplicaSource ?? decision.Source!, decision.Target!,
                Reason, RequestedBy, decision.At, $"decision {decision.Id}: {decision.Reason}")
            {
                LeadershipTo = decision.LeadershipFollows ? decision.Target : null,
            },
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

    private static string Exchanged(Step first, Step exchange, string firstId) => exchange.Action == RebalancerDecision.Leadership
        ? Say($"in exchange for {ShardNames.Of(first.ShardId)} ({firstId}), {exchange.From} hands the leadership of {ShardNames.Of(exchange.ShardId)} to {exchange.To}, so both keep their share of leaderships")
        : Say($"in exchange for {ShardNames.Of(first.ShardId)} ({firstId}), {exchange.From}'s replica of {ShardNames.Of(exchange.ShardId)} moves to {exchange.To}, so both keep their share of replicas");

    /// <summary>A ratio as the decisions say it: "2.4×".</summary>
    internal static string X(double ratio) => ratio.ToString("0.0#", CultureInfo.InvariantCulture) + "×";

    private static string Say(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// One change a move makes: the leadership of a shard handed from <paramref name="From"/> to <paramref name="To"/>, or
    /// a replica of it migrated from <paramref name="Giver"/> (null: <paramref name="From"/>) to <paramref name="To"/> —
    /// with <paramref name="From"/>'s leadership following it there when <paramref name="Follows"/>.
    /// </summary>
    private sealed record Step(string Action, int ShardId, string From, string To, string? Giver = null, bool Follows = false)
    {
        /// <summary>The node whose replica moves, for a replica step.</summary>
        public string ReplicaGiver => Giver ?? From;
    }

    /// <summary>
    /// A move considered: its steps (the first is the move, the others its exchange), in words, the hottest of its nodes
    /// after it, and the hottest of the nodes it adds load to after it.
    /// </summary>
    private readonly record struct Move(IReadOnlyList<Step> Steps, string Sentence, double Worst, double Loaded)
    {
        public Step First => Steps[0];

        /// <summary>
        /// Whether this move leaves its hottest node cooler than <paramref name="other"/> does, or as cool and the nodes it
        /// loads cooler: when every move leaves the source the hottest, the one that loads the coolest target wins, so a
        /// hot shard does not go to a node that already serves one while another serves none.
        /// </summary>
        public bool Beats(Move? other) =>
            other is not { } them || Worst < them.Worst - Tie || (Math.Abs(Worst - them.Worst) <= Tie && Loaded < them.Loaded - Tie);

        private const double Tie = 1e-9;
    }

    /// <summary>One round's view: the eligible nodes, their loads, weights and counts, and the moves open to it.</summary>
    private sealed class Round
    {
        private readonly ClusterMap _map;
        private readonly RebalancerLoad _load;
        private readonly RebalancerSettings _settings;
        private readonly long _now;
        private readonly Dictionary<string, double> _loads;
        private readonly Dictionary<string, int> _weights;
        private readonly double _perUnit;
        private readonly Func<int, string?> _leaderOf;
        private readonly LeadershipCounts _leaderships;
        private readonly ReplicaCounts _replicas;
        private readonly bool _follows;

        public Round(ClusterMap map, RebalancerLoad load, RebalancerSettings settings, long now)
        {
            (_map, _load, _settings, _now) = (map, load, settings, now);
            Eligible = [.. map.Nodes.Where(n => IsEligibleTarget(n, load))];
            _loads = Eligible.ToDictionary(n => n.Id, n => load.Node(n.Id)!.In(settings.Dimension));
            _weights = Eligible.ToDictionary(n => n.Id, settings.WeightOf);
            Total = _loads.Values.Sum();
            _perUnit = Total / Math.Max(1, _weights.Values.Sum());
            _leaderOf = LeadershipCounts.Expected(map, load.LeaderOf, now);
            _leaderships = new LeadershipCounts(Eligible, map.Shards.Count, _leaderOf);
            _replicas = new ReplicaCounts(map, Eligible);
            _follows = RebalancerDimensions.FollowsLeadership(settings.Dimension);
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

        public RebalancerDecision Decision(int index, Step step, string reason, List<string> rejected) =>
            Decision(index, step.Action, step.ShardId, step.From, step.To, reason, rejected) with
            {
                ReplicaSource = step.Action == RebalancerDecision.Replica ? step.Giver : null,
                LeadershipFollows = step.Action == RebalancerDecision.Replica && step.Follows,
            };

        /// <summary>
        /// The moves not yet finished, whoever asked for them (this rebalancer, the placement driver, an operator): migrations
        /// in flight, and hand-overs the shard's leader has not carried out yet. The cap counts them all, so that balancing
        /// load never crowds out a drain, a join or a repair.
        /// </summary>
        public int MovesInFlight() =>
            _map.Migrations.Count(m => !m.IsFinal) + _map.Handovers.Count(h => LeadershipCounts.IsInFlight(h, _load.LeaderOf(h.ShardId), _now));

        private bool IsEligible(string nodeId) => _loads.ContainsKey(nodeId);

        private string? CoolingDown(int shardId)
        {
            if (LastMoved(_map, shardId, _now) is not { } last || _now - last >= _settings.CooldownSeconds * 1000L)
            {
                return null;
            }

            return Say($"{ShardNames.Of(shardId)} moved {(_now - last) / 1000} s ago; its cooldown is {_settings.CooldownSeconds} s");
        }

        private string? Unmovable(int shardId) =>
            _map.MovingShard(shardId) is { } moving ? Say($"{ShardNames.Of(shardId)} is moving already ({moving.Id}, {moving.State})") : CoolingDown(shardId);

        /// <summary>
        /// Why moving shard <paramref name="shardId"/> to <paramref name="target"/> would send it back where it came from,
        /// within <see cref="ReturnCooldowns"/> cooldowns: its last leadership hand-over took the leadership from there, or a
        /// migration of it took a replica from there. Null when it would not.
        /// </summary>
        private string? Returns(int shardId, string target)
        {
            var window = ReturnCooldowns * _settings.CooldownSeconds * 1000L;
            var left = _map.Handovers.Where(h => h.ShardId == shardId && h.From == target).Select(h => (long?)h.At)
                .Concat(_map.Migrations.Where(m => m.ShardId == shardId && m.Source == target && m.State == MigrationStates.Done).Select(m => (long?)m.UpdatedAt))
                .Max();
            return left is { } at && _now - at < window
                ? Say($"{ShardNames.Of(shardId)} left {target} {(_now - at) / 1000} s ago, and a shard does not go back within {window / 1000} s")
                : null;
        }

        /// <summary>A replica of <paramref name="shard"/> other than <paramref name="source"/>'s on a node that is down, or null.</summary>
        private string? DownReplica(ShardRecord shard, string source) => shard.Replicas.FirstOrDefault(r => r != source && _load.Node(r) is not { IsUp: true });

        /// <summary>What <paramref name="nodeId"/>'s replica of <paramref name="shardId"/> carries.</summary>
        private double ReplicaLoad(string nodeId, int shardId) => _load.Node(nodeId)?.Replica(shardId)?.In(_settings.Dimension) ?? 0;

        /// <summary>What moving the leadership of <paramref name="shardId"/> from <paramref name="from"/> to <paramref name="to"/> shifts between them.</summary>
        private double Carried(string from, string to, int shardId) => _follows ? ReplicaLoad(from, shardId) - ReplicaLoad(to, shardId) : 0;

        /// <summary>
        /// A replica the rebalancer moved to bring a shard's leadership somewhere (<see cref="MigrationRecord.LeadershipTo"/>):
        /// once the migration is done, the leadership follows it (once, within the cooldown), unless that would now make its
        /// target no cooler than its leader.
        /// </summary>
        public Move? FollowUp(List<string> rejected)
        {
            if (!_follows)
            {
                return null;
            }

            foreach (var migration in _map.Migrations.Where(m => m.Reason == Reason && m.State == MigrationStates.Done && m.LeadershipTo is not null
                && _now - m.UpdatedAt < _settings.CooldownSeconds * 1000L))
            {
                var to = migration.LeadershipTo!;
                var shard = _map.Shard(migration.ShardId);
                var leader = _load.LeaderOf(migration.ShardId);
                if (shard is null || leader is null || leader == to || !shard.Replicas.Contains(to)
                    || _map.Handovers.Any(h => h.ShardId == migration.ShardId && h.At >= migration.UpdatedAt) || _map.MovingShard(migration.ShardId) is not null)
                {
                    continue;
                }

                var name = ShardNames.Of(migration.ShardId);
                if (!IsEligible(to) || !IsEligible(leader))
                {
                    rejected.Add(Say($"{name}'s leadership stays with {leader}: {to} or {leader} is not an eligible node now"));
                    continue;
                }

                var delta = Carried(leader, to, migration.ShardId);
                var before = Ratio(leader);
                var after = RatioWith(to, _loads[to] + delta);
                if (delta > 0 && after >= before)
                {
                    rejected.Add(Say($"{name}'s leadership stays with {leader}: following its replica to {to} would put it at {X(after)} the mean, no cooler than {leader}'s {X(before)}"));
                    continue;
                }

                return new Move([new Step(RebalancerDecision.Leadership, migration.ShardId, leader, to)],
                    Say($"{to} received a replica of {name} in {migration.Id}; its leadership follows it from {leader}"), after, after);
            }

            return null;
        }

        public Move? BestLeadership(string source, List<string> rejected)
        {
            if (!_follows)
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

                    var step = new Step(RebalancerDecision.Leadership, replica.ShardId, source, voter);
                    if (Consider(step, LeadershipExchanges(voter, source, replica.ShardId), Say($"leadership of {name} to {voter}"), rejected) is { } move
                        && move.Beats(best))
                    {
                        best = move with { Sentence = Say($"moving the leadership of {name} to {voter}{move.Sentence}") };
                    }
                }
            }

            return best;
        }

        public Move? BestReplica(string source, List<string> rejected)
        {
            Move? best = null;
            var sourceRatio = Ratio(source);
            var held = _map.Shards.Where(s => s.Replicas.Contains(source))
                .Select(s => (Shard: s, Load: ReplicaLoad(source, s.Id)))
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

                if (DownReplica(shard, source) is { } down)
                {
                    rejected.Add(Say($"replica of {name}: its replica on {down} is down, and moving another would risk its majority"));
                    continue;
                }

                var targets = Eligible.Where(n => !shard.IsHeldBy(n.Id)).Select(n => n.Id)
                    .OrderBy(id => RatioWith(id, _loads[id] + load)).ThenBy(id => id, StringComparer.Ordinal)
                    .ToList();
                if (targets.Count == 0)
                {
                    rejected.Add(Say($"replica of {name}: every eligible node holds one"));
                    continue;
                }

                // When the load is the leader's, a follower's replica moves and the leadership follows it, so that it never
                // passes through a third voter (a lone voter's own replica moves, with its leadership).
                var follows = _follows && _load.Node(source)!.Replica(shard.Id) is { Leads: true };
                var followers = follows ? shard.Replicas.Where(r => r != source && IsEligible(r))
                    .OrderByDescending(r => _replicas.Of(r) * 1.0 / Math.Max(1, _map.Node(r)!.Weight)).ThenBy(r => r, StringComparer.Ordinal).ToList() : [];
                var givers = followers.Count > 0 ? followers : [source];

                // The coolest target that can take it is chosen; each refusal is noted, but only the coolest target's first is
                // told: the others are refused alike, or a cooler one was.
                var told = new List<string>();
                Move? found = null;
                foreach (var (target, giver) in targets.SelectMany(t => givers.Select(g => (t, g))))
                {
                    var step = new Step(RebalancerDecision.Replica, shard.Id, source, target, giver == source ? null : giver, follows);
                    var exchanges = ReplicaExchanges(target, giver, shard.Id).Concat(follows ? LeadershipExchanges(target, source, shard.Id) : []);
                    if (Consider(step, exchanges, Say($"replica of {name} to {target}"), told) is { } move)
                    {
                        var whose = giver == source ? "its replica" : Say($"{giver}'s replica");
                        var then = giver == source ? "" : ", for its leadership to follow there";
                        found = move with { Sentence = Say($"moving {whose} of {name} to {target}, the coolest node without one that can take it{then}{move.Sentence}") };
                        break;
                    }
                }

                if (found is not { } m)
                {
                    rejected.AddRange(told.Take(1));
                }
                else if (m.Beats(best))
                {
                    best = m;
                }
            }

            return best;
        }

        /// <summary>
        /// <paramref name="step"/> as a move, or null with the reason added to <paramref name="rejected"/> (none when it
        /// would gain too little). When it would leave counts for the placement driver to even out, the
        /// <paramref name="exchanges"/> are tried with it — up to <see cref="ExchangesTried"/> of each kind, one alone, then
        /// a replica and a leadership together — and the first that keeps the counts makes the move.
        /// </summary>
        private Move? Consider(Step step, IEnumerable<Step> exchanges, string what, List<string> rejected)
        {
            var (problem, counts, move) = Judge([step]);
            if (move is not null || problem is null)
            {
                return move;
            }

            if (counts)
            {
                // One exchange, else one of each kind (a replica that comes back, and a leadership).
                var kinds = exchanges.GroupBy(e => e.Action).Select(g => g.Take(ExchangesTried).ToList()).ToList();
                var tried = kinds.SelectMany(k => k.Select(e => (IReadOnlyList<Step>)[step, e]))
                    .Concat(kinds.Count < 2 ? [] : kinds[0].SelectMany(a => kinds[1].Select(b => (IReadOnlyList<Step>)[step, a, b])));
                foreach (var steps in tried)
                {
                    if (Judge(steps).Move is { } swap)
                    {
                        return swap;
                    }
                }

                problem += ", and no exchange keeps the counts";
            }

            rejected.Add(Say($"{what}: {problem}"));
            return null;
        }

        /// <summary>
        /// Whether <paramref name="steps"/> make a move: the problem (and whether it is one of counts) or the move. A move
        /// sends no shard back where it lately came from, takes at least <see cref="MinimumGain"/> off its source (else it
        /// is not worth a word: no problem, no move), adds load only to nodes that stay cooler than the source was, and
        /// leaves no counts for the placement driver to even out.
        /// </summary>
        private (string? Problem, bool Counts, Move? Move) Judge(IReadOnlyList<Step> steps)
        {
            foreach (var step in steps)
            {
                if (Returns(step.ShardId, step.To) is { } returns)
                {
                    return (returns, false, null);
                }
            }

            var leads = new Dictionary<string, int>(StringComparer.Ordinal);
            var replicas = new Dictionary<string, int>(StringComparer.Ordinal);
            var loads = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var step in steps)
            {
                if (step.Action == RebalancerDecision.Leadership)
                {
                    Shift(leads, step.From, step.To, 1);
                    Shift(loads, step.From, step.To, Carried(step.From, step.To, step.ShardId));
                    continue;
                }

                Shift(replicas, step.ReplicaGiver, step.To, 1);
                Shift(loads, step.ReplicaGiver, step.To, ReplicaLoad(step.ReplicaGiver, step.ShardId));
                if (step.Follows && step.Giver is not null)
                {
                    Shift(leads, step.From, step.To, 1);
                    Shift(loads, step.From, step.To, ReplicaLoad(step.From, step.ShardId));
                }
                else if (step.Follows)
                {
                    Shift(leads, step.From, step.To, 1);
                }
            }

            var source = steps[0].From;
            var sourceRatio = Ratio(source);
            var sourceAfter = RatioWith(source, _loads[source] + loads.GetValueOrDefault(source));
            if (sourceRatio - sourceAfter < MinimumGain)
            {
                return (null, false, null);
            }

            var risen = loads.Where(l => l.Value > 0 && l.Key != source && IsEligible(l.Key))
                .Select(l => (Node: l.Key, After: RatioWith(l.Key, _loads[l.Key] + l.Value))).OrderBy(l => l.Node, StringComparer.Ordinal).ToList();
            if (risen.FirstOrDefault(r => r.After >= sourceRatio) is { Node: not null } hot)
            {
                return (Say($"{hot.Node} would serve {X(hot.After)} the mean, no cooler than {source}'s {X(sourceRatio)}"), false, null);
            }

            // A move must lower the hotter of its nodes by the least gain, and by half of what it moves: one that only swaps
            // which node is hotter (or overshoots by more than half) is made and unmade by the noise in the figures.
            var margin = Math.Max(MinimumGain, (sourceRatio - sourceAfter) / 2);
            if (risen.FirstOrDefault(r => r.After > sourceRatio - margin) is { Node: not null } level)
            {
                return (Say($"{level.Node} would serve {X(level.After)} the mean, less than {X(margin)} below {source}'s {X(sourceRatio)}: it would only swap which is hotter"), false, null);
            }

            if ((_replicas.Unbalances(replicas) ?? _leaderships.Unbalances(leads)) is { } unbalanced)
            {
                return (unbalanced, true, null);
            }

            var exchange = steps.Skip(1).Select(e => e.Action == RebalancerDecision.Leadership
                ? Say($", with the leadership of {ShardNames.Of(e.ShardId)} coming back to {e.To} in exchange")
                : Say($", with {e.From}'s replica of {ShardNames.Of(e.ShardId)} going to {e.To} in exchange"));
            var figures = string.Join(", ", risen.Select(r => Say($"{r.Node} to {X(r.After)}")).Prepend(Say($"{source} to {X(sourceAfter)}")));
            var loaded = risen.Select(r => r.After).DefaultIfEmpty(0).Max();
            return (null, false, new Move(steps, Say($"{string.Concat(exchange)} ({figures})"), Math.Max(loaded, sourceAfter), loaded));
        }

        private static void Shift<T>(Dictionary<string, T> changes, string from, string to, T amount)
            where T : System.Numerics.INumber<T>
        {
            changes[from] = changes.GetValueOrDefault(from, T.Zero) - amount;
            changes[to] = changes.GetValueOrDefault(to, T.Zero) + amount;
        }

        /// <summary>
        /// Leaderships <paramref name="from"/> can hand <paramref name="to"/> in exchange: of shards it is to lead that
        /// <paramref name="to"/> holds a voter of, free to move and not lately left <paramref name="to"/>, other than
        /// <paramref name="except"/>; the least loaded first.
        /// </summary>
        private IEnumerable<Step> LeadershipExchanges(string from, string to, int except) =>
            _map.Shards.Where(s => s.Id != except && _leaderOf(s.Id) == from && s.Replicas.Contains(to) && Unmovable(s.Id) is null)
                .OrderBy(s => Carried(from, to, s.Id)).ThenBy(s => s.Id)
                .Select(s => new Step(RebalancerDecision.Leadership, s.Id, from, to));

        /// <summary>
        /// Replicas <paramref name="from"/> can send <paramref name="to"/> in exchange: of shards <paramref name="to"/> holds
        /// none of, free to move, with their other replicas up, other than <paramref name="except"/>; the least loaded
        /// (a follower's) first. A leader replica's leadership goes along.
        /// </summary>
        private IEnumerable<Step> ReplicaExchanges(string from, string to, int except) =>
            _map.Shards.Where(s => s.Id != except && s.Replicas.Contains(from) && !s.IsHeldBy(to) && Unmovable(s.Id) is null && DownReplica(s, from) is null)
                .OrderBy(s => ReplicaLoad(from, s.Id)).ThenBy(s => s.Id)
                .Select(s => new Step(RebalancerDecision.Replica, s.Id, from, to, null, _follows && _load.Node(from)?.Replica(s.Id) is { Leads: true }));
    }
}
