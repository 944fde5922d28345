using System.Globalization;
using NodeNomad.Contracts;
using NodeNomad.Core.Cluster;
using NodeNomad.Raft;

namespace NodeNomad.Node.Runtime;

/// <summary>
/// Moves shard replicas, inside the node core and so under the simulator exactly as in the node. The meta group
/// holds each migration's state; the node whose replica leads the shard advances it, one step per decision, from
/// what its own Raft group shows: add the target as a learner, let it take a snapshot and the log's tail, hand
/// leadership on if the source leads, promote the target, remove the source, record the new replica set. Every
/// step it takes is a membership change of the shard's group or a meta command checked against the state it
/// expects, so a step repeated after a lost answer or by the next leader is harmless. A cancelled move, or one that
/// makes no progress for <see cref="NodeCoreSettings.MigrationStepTimeout"/>, is undone before its swap (the learner
/// removed, then dropped from the map); after the swap it completes. The source, once the map no longer lists it,
/// deletes its replica (<see cref="NodeCore"/> drops it) and reports the move done.
/// </summary>
internal sealed class MigrationDriver(ReplicaContext context, NodeCoreSettings settings)
{
    // The last time (in ticks) each migration's current action was taken, so that it is retried, not flooded.
    private readonly Dictionary<string, (string Action, long Tick)> _taken = [];
    private readonly List<MetaCommand> _forMeta = [];
    private long _ticks;
    private long _nextTicket = -1;

    /// <summary>Meta commands for the meta group's leader, when this node does not lead it; taken by the core's output.</summary>
    public List<MetaCommand> ForMeta => _forMeta;

    /// <summary>One tick's worth of decisions, on the map this node applied and the shard groups it hosts.</summary>
    public void Tick(MetaReplica meta, IReadOnlyDictionary<int, ShardReplica> shards)
    {
        _ticks++;
        var map = meta.Map;
        // Decide only on a map that is as new as this node can know: every meta entry it knows committed is applied.
        if (meta.Status is not { LeaderId: not null } status || status.AppliedIndex < status.CommitIndex)
        {
            return;
        }

        foreach (var migration in map.Migrations)
        {
            if (migration.IsFinal)
            {
                _taken.Remove(migration.Id);
                continue;
            }

            if (migration.State == MigrationStates.CleaningUp && migration.Source == settings.SelfId && !shards.ContainsKey(migration.ShardId))
            {
                // The source deleted its replica (the core drops a replica the map no longer places here).
                Once(meta, migration, "done", new AdvanceMigration(migration.Id, MigrationStates.CleaningUp, MigrationStates.Done, context.Now,
                    $"{settings.SelfId} deleted its replica"));
                continue;
            }

            if (shards.GetValueOrDefault(migration.ShardId) is { IsLeader: true, IsRemoved: false } shard)
            {
                Lead(meta, shard, migration);
            }
        }
    }

    private void Lead(MetaReplica meta, ShardReplica shard, MigrationRecord migration)
    {
        var status = shard.Raft.Status;
        var record = meta.Map.Shards[migration.ShardId];
        var target = record.ReplicaIdOf(migration.Target);
        var source = record.ReplicaIdOf(migration.Source);
        var self = shard.SelfReplicaId;
        var voters = status.ConfState.Voters;
        var learners = status.ConfState.Learners;
        var targetIn = voters.Contains(target) || learners.Contains(target);
        var now = context.Now;
        var stalled = now - migration.UpdatedAt > settings.MigrationStepTimeout.TotalMilliseconds;

        if (MigrationStates.IsCancellable(migration.State) && (migration.CancelRequested || stalled))
        {
            var outcome = migration.CancelRequested ? MigrationStates.Cancelled : MigrationStates.RolledBack;
            var error = migration.CancelRequested ? null : string.Create(CultureInfo.InvariantCulture,
                $"no progress in {migration.State} for {settings.MigrationStepTimeout.TotalSeconds:F0} s (is {migration.Target} up?)");
            if (voters.Contains(target))
            {
                // The map this node applied is behind: a target is a voter only once its move is swapping, which is
                // never undone. Removing a voter on a stale view could cut the group below a majority; wait instead.
                return;
            }

            if (learners.Contains(target))
            {
                Once(meta, migration, "remove-learner", change: (shard, new ConfChange(ConfChangeType.RemoveNode, target)));
            }
            else
            {
                Once(meta, migration, outcome, new UndoMigration(migration.Id, outcome, now, error));
            }

            return;
        }

        switch (migration.State)
        {
            case MigrationStates.AddingLearner when !targetIn:
                Once(meta, migration, "add-learner", change: (shard, new ConfChange(ConfChangeType.AddLearner, target)));
                break;
            case MigrationStates.AddingLearner:
                Once(meta, migration, "learner-added", new AdvanceMigration(migration.Id, migration.State,
                    IsSnapshotting(status, target) ? MigrationStates.SendingSnapshot : MigrationStates.CatchingUp, now,
                    $"{migration.Target} is a learner of the group"));
                break;
            case MigrationStates.SendingSnapshot or MigrationStates.CatchingUp when CaughtUp(status, target) is { } lag:
                var next = source == self ? MigrationStates.TransferringLeadership : MigrationStates.Swapping;
                Once(meta, migration, "caught-up", new AdvanceMigration(migration.Id, migration.State, next, now,
                    string.Create(CultureInfo.InvariantCulture, $"{migration.Target} is {lag} entries behind the commit index")));
                break;
            case MigrationStates.SendingSnapshot when !IsSnapshotting(status, target):
                Once(meta, migration, "snapshot-sent", new AdvanceMigration(migration.Id, migration.State, MigrationStates.CatchingUp, now,
                    $"the leader no longer sends {migration.Target} a snapshot (it was installed, or the send failed and the log takes over)"));
                break;
            case MigrationStates.CatchingUp when IsSnapshotting(status, target):
                Once(meta, migration, "needs-snapshot", new AdvanceMigration(migration.Id, migration.State, MigrationStates.SendingSnapshot, now,
                    $"{migration.Target} needs entries the leader compacted"));
                break;
            case MigrationStates.TransferringLeadership when source == self:
                if (Successor(status, source, target) is { } successor)
                {
                    Once(meta, migration, "transfer", transfer: (shard, successor));
                }
                else
                {
                    // A lone voter has nobody to hand over to: the swap promotes the target, then hands leadership to it.
                    Once(meta, migration, "no-successor", new AdvanceMigration(migration.Id, migration.State, MigrationStates.Swapping, now,
                        $"{settings.SelfId} is the only voter; {migration.Target} takes over once promoted"));
                }

                break;
            case MigrationStates.TransferringLeadership:
                Once(meta, migration, "transferred", new AdvanceMigration(migration.Id, migration.State, MigrationStates.Swapping, now,
                    $"{settings.SelfId} leads the shard"));
                break;
            case MigrationStates.Swapping when context.Flaw == CoreFlaw.RemoveBeforePromote && source != self && voters.Contains(source):
                Once(meta, migration, "remove-source", change: (shard, new ConfChange(ConfChangeType.RemoveNode, source)));
                break;
            case MigrationStates.Swapping when !voters.Contains(target):
                Once(meta, migration, "promote", change: (shard, new ConfChange(ConfChangeType.AddVoter, target)));
                break;
            case MigrationStates.Swapping when voters.Contains(source) || learners.Contains(source):
                if (source == self)
                {
                    // A leader never removes itself: the others would wait to hear that its removal committed.
                    Once(meta, migration, "transfer-to-target", transfer: (shard, target));
                }
                else
                {
                    Once(meta, migration, "remove-source", change: (shard, new ConfChange(ConfChangeType.RemoveNode, source)));
                }

                break;
            case MigrationStates.Swapping:
                Once(meta, migration, "complete", new CompleteMigration(migration.Id, now));
                break;
            case MigrationStates.CleaningUp when stalled || migration.Reason == PlacementPolicy.Repair:
                // The source has not said it deleted its replica (it may be down, as the source of a repair is): the move
                // is done without it; the source deletes the replica when it comes back and applies the map.
                Once(meta, migration, "done-without-source", new AdvanceMigration(migration.Id, MigrationStates.CleaningUp, MigrationStates.Done, now,
                    $"{migration.Source} did not report; it deletes its replica when it returns"));
                break;
        }
    }

    /// <summary>How far behind the commit index the learner is, when that is close enough to promote it; null otherwise.</summary>
    private ulong? CaughtUp(RaftStatus status, ulong target)
    {
        if (!status.Progress.TryGetValue(target, out var progress) || progress.State != "replicate")
        {
            return null;
        }

        var lag = status.HardState.Commit > progress.Match ? status.HardState.Commit - progress.Match : 0;
        return lag <= (ulong)settings.MigrationCatchUpLag ? lag : null;
    }

    private static bool IsSnapshotting(RaftStatus status, ulong target) =>
        status.Progress.TryGetValue(target, out var progress) && progress.State == "snapshot";

    /// <summary>The voter best placed to take over from <paramref name="source"/>: the one furthest along, other than the source.</summary>
    private static ulong? Successor(RaftStatus status, ulong source, ulong target) =>
        status.ConfState.Voters.Where(v => v != source && v != target)
            .OrderByDescending(v => status.Progress.TryGetValue(v, out var p) ? p.Match : 0)
            .ThenBy(v => v)
            .Select(v => (ulong?)v)
            .FirstOrDefault();

    /// <summary>Takes <paramref name="action"/> for <paramref name="migration"/> unless it was taken within the retry interval.</summary>
    private void Once(MetaReplica meta, MigrationRecord migration, string action, MetaCommand? command = null,
        (ShardReplica Shard, ConfChange Change)? change = null, (ShardReplica Shard, ulong To)? transfer = null)
    {
        if (_taken.TryGetValue(migration.Id, out var last) && last.Action == action && _ticks - last.Tick < settings.MigrationRetryTicks)
        {
            return;
        }

        _taken[migration.Id] = (action, _ticks);
        if (command is not null)
        {
            if (meta.IsLeader)
            {
                meta.Propose(_nextTicket--, MetaStateMachine.Encode(command), null);
            }
            else
            {
                _forMeta.Add(command);
            }
        }

        if (change is { } c)
        {
            c.Shard.Propose(_nextTicket--, null, c.Change);
        }

        if (transfer is { } t)
        {
            t.Shard.Raft.TransferLeadership(t.To);
        }
    }
}
