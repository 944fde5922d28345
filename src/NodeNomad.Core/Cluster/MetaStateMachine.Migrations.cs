using NodeNomad.Contracts;

namespace NodeNomad.Core.Cluster;

// Migrations: each step is one command, checked against the state it must find, so a step that is repeated (a
// driver retrying after a lost answer, a new shard leader resuming) is refused instead of applied twice.
public sealed partial class MetaStateMachine
{
    private static readonly string[] Order =
    [
        MigrationStates.Pending, MigrationStates.AddingLearner, MigrationStates.SendingSnapshot, MigrationStates.CatchingUp,
        MigrationStates.TransferringLeadership, MigrationStates.Swapping, MigrationStates.CleaningUp, MigrationStates.Done,
    ];

    /// <summary>Why <paramref name="start"/> cannot run against <paramref name="map"/>, or null when it can.</summary>
    public static string? Refusal(ClusterMap map, StartMigration start)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(start);
        if (map.Migration(start.Id) is not null)
        {
            return $"a migration {start.Id} exists already.";
        }

        if (map.Shard(start.ShardId) is not { } shard)
        {
            return $"shard {start.ShardId} does not exist (the cluster has {map.Shards.Count}).";
        }

        if (map.MovingShard(start.ShardId) is { } moving)
        {
            return $"shard-{start.ShardId} is already moving ({moving.Id}, {moving.State}).";
        }

        if (!shard.Replicas.Contains(start.Source))
        {
            return $"{start.Source} holds no voting replica of shard-{start.ShardId} (its replicas: {string.Join(", ", shard.Replicas)}).";
        }

        if (map.Node(start.Target) is not { } target)
        {
            return $"{start.Target} is not a node of the cluster.";
        }

        if (target.Membership != NodeRecord.Active)
        {
            return $"{start.Target} is {target.Membership}, not active.";
        }

        return shard.IsHeldBy(start.Target) ? $"{start.Target} already holds a replica of shard-{start.ShardId}." : null;
    }

    private string? Start(long index, StartMigration start)
    {
        var map = Map;
        if (Refusal(map, start) is { } refusal)
        {
            return refusal;
        }

        var shard = map.Shards[start.ShardId];
        var migration = new MigrationRecord(
            start.Id, start.ShardId, start.Source, start.Target, start.Reason, start.RequestedBy,
            MigrationStates.Pending, [new MigrationStep(MigrationStates.Pending, start.At, start.Detail)])
        {
            LeadershipTo = start.LeadershipTo,
        }.Enter(MigrationStates.AddingLearner, start.At, $"{start.Target} recorded as a learner of shard-{start.ShardId}");
        // A learner serves nothing, so the epoch (which routing and founding go by) stays.
        var incarnations = new Dictionary<string, long>(shard.Incarnations) { [start.Target] = index };
        Map = WithShard(map, shard with { Learners = [.. shard.Learners, start.Target], Incarnations = incarnations }, index) with
        {
            Migrations = Trimmed([.. map.Migrations, migration]),
        };
        return null;
    }

    private string? Advance(long index, AdvanceMigration advance)
    {
        if (InFlight(advance.Id, out var migration) is { } refusal)
        {
            return refusal;
        }

        if (migration.State != advance.From)
        {
            return $"{advance.Id} is {migration.State}, not {advance.From}.";
        }

        var from = Array.IndexOf(Order, advance.From);
        var to = Array.IndexOf(Order, advance.To);
        // Forward only, up to the swap; between sending a snapshot and catching up either way (a learner that fell
        // behind the log's start again needs another snapshot). The swap ends with CompleteMigration, and cleaning up
        // ends in done.
        var allowed = advance.From == MigrationStates.CleaningUp
            ? advance.To == MigrationStates.Done
            : (to > from && to <= Array.IndexOf(Order, MigrationStates.Swapping))
              || (advance.From == MigrationStates.CatchingUp && advance.To == MigrationStates.SendingSnapshot);
        if (!allowed)
        {
            return $"{advance.Id} cannot go from {advance.From} to {advance.To}.";
        }

        if (advance.To == MigrationStates.Swapping && migration.CancelRequested)
        {
            return $"{advance.Id} was asked to cancel; it does not swap.";
        }

        Replace(migration.Enter(advance.To, advance.At, advance.Detail), index);
        return null;
    }

    private string? Cancel(long index, CancelMigration cancel)
    {
        if (InFlight(cancel.Id, out var migration) is { } refusal)
        {
            return refusal;
        }

        if (!MigrationStates.IsCancellable(migration.State))
        {
            return $"{cancel.Id} is {migration.State}: past the swap, it completes.";
        }

        if (migration.CancelRequested)
        {
            return $"{cancel.Id} is already being cancelled.";
        }

        var steps = migration.Steps.Append(new MigrationStep(migration.State, cancel.At, $"cancel requested by {cancel.RequestedBy}"));
        Replace(migration with { CancelRequested = true, Steps = [.. steps] }, index);
        return null;
    }

    private string? Complete(long index, CompleteMigration complete)
    {
        if (InFlight(complete.Id, out var migration) is { } refusal)
        {
            return refusal;
        }

        if (migration.State != MigrationStates.Swapping)
        {
            return $"{complete.Id} is {migration.State}, not {MigrationStates.Swapping}.";
        }

        var map = Map;
        var shard = map.Shards[migration.ShardId];
        // The target takes the source's place in the order of preference.
        var replicas = shard.Replicas.Select(r => r == migration.Source ? migration.Target : r).Distinct().ToList();
        if (!replicas.Contains(migration.Target))
        {
            replicas.Add(migration.Target);
        }

        var incarnations = new Dictionary<string, long>(shard.Incarnations);
        incarnations.Remove(migration.Source);
        Map = WithShard(map, shard with
        {
            Replicas = replicas,
            Learners = [.. shard.Learners.Where(l => l != migration.Target)],
            Epoch = shard.Epoch + 1,
            Incarnations = incarnations,
        }, index);
        Replace(migration.Enter(MigrationStates.CleaningUp, complete.At, $"replicas now {string.Join(", ", replicas)}; {migration.Source} deletes its replica"), index);
        return null;
    }

    private string? Undo(long index, UndoMigration undo)
    {
        if (InFlight(undo.Id, out var migration) is { } refusal)
        {
            return refusal;
        }

        if (undo.Outcome is not (MigrationStates.Cancelled or MigrationStates.RolledBack or MigrationStates.Failed))
        {
            return $"a migration cannot be undone into {undo.Outcome}.";
        }

        if (!MigrationStates.IsCancellable(migration.State))
        {
            return $"{undo.Id} is {migration.State}: past the swap, it cannot be undone.";
        }

        var map = Map;
        var shard = map.Shards[migration.ShardId];
        var incarnations = new Dictionary<string, long>(shard.Incarnations);
        incarnations.Remove(migration.Target);
        Map = WithShard(map, shard with { Learners = [.. shard.Learners.Where(l => l != migration.Target)], Incarnations = incarnations }, index);
        Replace(migration.Enter(undo.Outcome, undo.At, undo.Error) with { Error = undo.Error ?? migration.Error }, index);
        return null;
    }

    private string? InFlight(string id, out MigrationRecord migration)
    {
        migration = Map.Migration(id)!;
        if (migration is null)
        {
            return $"no migration {id}.";
        }

        return migration.IsFinal ? $"{id} has ended ({migration.State})." : null;
    }

    private void Replace(MigrationRecord migration, long index) =>
        Map = Map with
        {
            Migrations = Trimmed([.. Map.Migrations.Select(m => m.Id == migration.Id ? migration : m)]),
            Version = index,
        };

    private static ClusterMap WithShard(ClusterMap map, ShardRecord shard, long index)
    {
        var shards = map.Shards.ToArray();
        shards[shard.Id] = shard;
        return map with { Shards = shards, Version = index };
    }

    /// <summary>Every migration in flight and the most recent ended ones.</summary>
    private static List<MigrationRecord> Trimmed(List<MigrationRecord> migrations)
    {
        var ended = migrations.Count(m => m.IsFinal);
        var drop = Math.Max(0, ended - MigrationRecord.HistoryKept);
        return [.. migrations.Where(m => !m.IsFinal || drop-- <= 0)];
    }
}
