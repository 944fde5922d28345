using System.Globalization;
using NodeNomad.Contracts;
using NodeNomad.Core.Cluster;
using NodeNomad.Node.Runtime;
using NodeNomad.Raft;

namespace NodeNomad.Simulation;

// Migrations through the real core: a simulated operator asks the meta leader to move a shard's replica (and now and
// then to cancel a move); the node core's own migration driver, on whichever node leads the shard, does the rest —
// learner, catch-up, leadership hand-over, promotion, removal, the new map — its meta commands travelling to the meta
// leader over the simulated network, so crashes, partitions and lost messages meet moves at every step.
public sealed partial class CoreClusterSimulation
{
    /// <summary>Virtual milliseconds a migration may stay in one step before its shard's leader undoes it.</summary>
    public const int MigrationStepTimeout = 1_500;

    private readonly HashSet<string> _migrationsSeen = [];
    private readonly Dictionary<string, string> _migrationStates = [];
    private readonly Dictionary<string, int> _movesByReason = [];
    private int _movesDone;
    private int _movesUndone;
    private int _cancels;
    private long _nextMoveAt = 300;

    /// <summary>On the meta leader, now and then: start a migration, or ask to cancel the one under way.</summary>
    private void Operate(CoreSimNode node, NodeCore core)
    {
        // Steps are stamped with the asking node's clock, as the API stamps them with its node's.
        var at = node.CommandClock.Now;
        var map = core.Map;
        if (!core.Meta.IsLeader || !map.IsBootstrapped || _healedAt >= 0 || Now < _nextMoveAt)
        {
            return;
        }

        _nextMoveAt = Now + Random.Next(100, 800);
        var inFlight = map.Migrations.Where(m => !m.IsFinal).ToList();
        if (inFlight.Count > 0 && Random.Next(4) == 0)
        {
            var victim = inFlight[Random.Next(inFlight.Count)];
            _cancels++;
            Trace.Add(Now, "move-cancel", (ulong)victim.ShardId);
            core.Propose(++_nextTicket, 0, MetaStateMachine.Encode(new CancelMigration(victim.Id, at, "simulated operator")));
            return;
        }

        var shard = map.Shards[Random.Next(map.Shards.Count)];
        var targets = map.Nodes.Select(n => n.Id).Where(id => !shard.IsHeldBy(id)).ToList();
        if (targets.Count == 0 || map.MovingShard(shard.Id) is not null)
        {
            return;
        }

        var start = new StartMigration(
            "m-" + (++_nextTicket).ToString(CultureInfo.InvariantCulture), shard.Id, shard.Replicas[Random.Next(shard.Replicas.Count)],
            targets[Random.Next(targets.Count)], "manual", "simulated operator", at);
        Trace.Add(Now, "move-start", (ulong)start.ShardId, (ulong)IndexOf(start.Source), (ulong)IndexOf(start.Target));
        core.Propose(++_nextTicket, 0, MetaStateMachine.Encode(start));
    }

    /// <summary>A node's meta commands for the meta leader, over the simulated network (lost when cut or dropped: the driver repeats them).</summary>
    private void ForwardToMeta(CoreSimNode from, IReadOnlyList<MetaCommand> commands)
    {
        foreach (var command in commands)
        {
            var leader = _nodes.Where(n => n.Core?.Meta is { IsLeader: true } && n.Core.Stopped is null)
                .OrderByDescending(n => n.Core!.Meta.Status.Term).FirstOrDefault();
            if (leader is null || _cuts.Contains((from.Index, leader.Index)) || Random.NextDouble() < Settings.DropRate)
            {
                continue;
            }

            var bytes = MetaStateMachine.Encode(command);
            _events.After(1 + Random.Next(Settings.MaxDelay), () =>
            {
                if (leader.IsUp)
                {
                    leader.Enqueue(core => core.Propose(++_nextTicket, 0, bytes));
                    ScheduleTurn(leader);
                }
            });
        }
    }

    /// <summary>
    /// After a node's turn: every shard group keeps at least the replication factor's voters (the plan adds before it
    /// removes), and the map never records fewer; migrations seen ending are counted.
    /// </summary>
    private void CheckMoves(CoreSimNode node)
    {
        var core = node.Core!;
        foreach (var (shardId, shard) in core.Shards)
        {
            var voters = shard.Status.Voters.Count;
            if (shard.Status.Role == RaftRole.Leader && voters > 0 && voters < Settings.ReplicationFactor)
            {
                throw new InvariantViolationException(
                    $"shard {shardId}: {node.Id} leads a group of {voters} voters [{string.Join(",", shard.Status.Voters)}], fewer than the replication factor {Settings.ReplicationFactor}.");
            }
        }

        foreach (var record in core.Map.Shards.Where(s => s.Replicas.Count != Settings.ReplicationFactor))
        {
            throw new InvariantViolationException($"the map gives shard {record.Id} {record.Replicas.Count} voters [{string.Join(",", record.Replicas)}] at epoch {record.Epoch}.");
        }

        foreach (var migration in core.Meta.IsLeader ? core.Map.Migrations : [])
        {
            if (_migrationStates.GetValueOrDefault(migration.Id) != migration.State)
            {
                _migrationStates[migration.Id] = migration.State;
                Trace.Add(Now, "move " + migration.Id + " " + migration.State + (migration.Steps[^1].Detail is { } d ? ": " + d : ""), (ulong)migration.ShardId);
            }
        }

        foreach (var migration in core.Map.Migrations.Where(m => m.IsFinal && _migrationsSeen.Add(m.Id)))
        {
            Trace.Add(Now, "move-" + migration.State, (ulong)migration.ShardId, (ulong)IndexOf(migration.Source), (ulong)IndexOf(migration.Target));
            if (migration.State == MigrationStates.Done)
            {
                _movesDone++;
                _movesByReason[migration.Reason] = _movesByReason.GetValueOrDefault(migration.Reason) + 1;
            }
            else
            {
                _movesUndone++;
            }
        }
    }

    /// <summary>Whether every migration has ended and every up node hosts exactly the replicas the meta leader's map places on it.</summary>
    private bool MovesSettled()
    {
        var leader = _nodes.FirstOrDefault(n => n.Core?.Meta is { IsLeader: true });
        if (leader is null)
        {
            return false;
        }

        var map = leader.Core!.Map;
        return map.Migrations.All(m => m.IsFinal)
            && _nodes.Where(n => n.IsUp).All(n => n.Core!.Map.Version == map.Version
                && map.Shards.All(s => s.IsHeldBy(n.Id) == n.Core.Shards.ContainsKey(s.Id)));
    }

    private int IndexOf(string nodeId) => _nodes.FindIndex(n => n.Id == nodeId) + 1;
}
