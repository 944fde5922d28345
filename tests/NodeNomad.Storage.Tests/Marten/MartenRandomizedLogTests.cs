using NodeNomad.Raft;
using NodeNomad.Storage.Marten;

namespace NodeNomad.Storage.Tests.Marten;

/// <summary>
/// Random batches (plain appends, overwrites, installed snapshots, dropped groups), compactions and restarts of the
/// Marten log, checked after every restart against a model of what the log must hold. Plain appends take the direct
/// statement and the others a Marten session, and a compaction or a drop builds the next generation from the log the
/// instance keeps in memory, so a restart after them reads back exactly what that copy held. The seed is printed;
/// set NODENOMAD_SEED to replay it.
/// </summary>
public sealed class MartenRandomizedLogTests(MartenTestDatabase server, ITestOutputHelper output)
{
    private const int Steps = 200;
    private static readonly ulong[] GroupIds = [1, 2, 3, 40];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task random_writes_compactions_drops_and_restarts_recover_what_the_model_holds()
    {
        (int seed, string replay) = RandomLog.Seed(typeof(MartenRandomizedLogTests));
        output.WriteLine($"seed {seed}; replay with: {replay}");
        var random = new Random(seed);
        var nodeId = Guid.NewGuid().ToString("N");
        var model = new LogModel();
        ulong term = 1;
        MartenRaftLog log = await StartAsync(nodeId, model);
        var counts = new Dictionary<string, int>();
        try
        {
            for (int step = 0; step < Steps; step++)
            {
                int roll = random.Next(100);
                string what;
                if (roll < 65)
                {
                    (LogBatch batch, term) = RandomBatch(random, model, term);
                    await log.SaveAsync(batch, Ct);
                    model.Save(batch);
                    what = batch.Dropped.Count > 0 ? "drop" : batch.Groups.Any(g => g.Snapshot is not null) ? "install" : "append";
                }
                else if (roll < 85)
                {
                    ulong[] candidates = [.. model.Groups.Where(g => g.Value.LastIndex > g.Value.SnapshotIndex).Select(g => g.Key)];
                    if (candidates.Length == 0)
                    {
                        continue;
                    }

                    ModelGroup group = model.Groups[candidates[random.Next(candidates.Length)]];
                    ulong index = group.SnapshotIndex + 1 + (ulong)random.NextInt64((long)(group.LastIndex - group.SnapshotIndex));
                    Snapshot snapshot = RandomLog.Snapshot(random, index, group.Entries.Single(e => e.Index == index).Term);
                    await log.CompactAsync(group.Id, snapshot, Ct);
                    model.Compact(group.Id, snapshot);
                    what = "compact";
                }
                else
                {
                    await log.DisposeAsync();
                    log = await StartAsync(nodeId, model);
                    what = "restart";
                }

                counts[what] = counts.GetValueOrDefault(what) + 1;
            }

            await log.DisposeAsync();
            log = await StartAsync(nodeId, model);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new ShouldAssertException($"Failed with seed {seed}; replay with: {replay}{Environment.NewLine}{e.Message}", e);
        }
        finally
        {
            await log.DisposeAsync();
        }

        output.WriteLine(string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Value} {c.Key}")));
        counts.GetValueOrDefault("compact").ShouldBeGreaterThan(0);
        counts.GetValueOrDefault("append").ShouldBeGreaterThan(0);
    }

    private async Task<MartenRaftLog> StartAsync(string nodeId, LogModel model)
    {
        var log = new MartenRaftLog(server.Store("randomized"), nodeId);
        RecoveredLog recovered = await log.RecoverAsync(Ct);
        model.ShouldMatch(recovered);
        return log;
    }

    private static (LogBatch Batch, ulong Term) RandomBatch(Random random, LogModel model, ulong term)
    {
        ulong[] dropped = random.Next(10) == 0 ? [GroupIds[random.Next(GroupIds.Length)]] : [];
        var writes = new List<GroupWrite>();
        foreach (ulong groupId in GroupIds.OrderBy(_ => random.Next()).Take(random.Next(1, 4)))
        {
            ModelGroup group = dropped.Contains(groupId) ? new ModelGroup(groupId) : model.Group(groupId);
            HardState? hardState = random.Next(3) == 0 ? new HardState(term, (ulong)random.Next(4), (ulong)random.NextInt64((long)group.LastIndex + 1)) : null;
            Snapshot? installed = null;
            (ulong snapshotIndex, ulong lastIndex) = (group.SnapshotIndex, group.LastIndex);
            if (random.Next(12) == 0)
            {
                ulong index = group.SnapshotIndex + 1 + (ulong)random.Next((int)(group.LastIndex - group.SnapshotIndex) + 5);
                installed = RandomLog.Snapshot(random, index, term);
                (snapshotIndex, lastIndex) = (index, index);
            }

            ulong first = lastIndex + 1;
            if (installed is null && lastIndex > snapshotIndex && random.Next(4) == 0)
            {
                // A new leader overwrites a conflicting suffix.
                first = snapshotIndex + 1 + (ulong)random.NextInt64((long)(lastIndex - snapshotIndex));
                term++;
            }

            ulong entryTerm = term;
            Entry[] entries = [.. Enumerable.Range(0, random.Next(5)).Select(i => RandomLog.Entry(random, first + (ulong)i, entryTerm, 300))];
            writes.Add(new GroupWrite(groupId, hardState, installed, entries));
        }

        return (new LogBatch(writes) { Dropped = dropped }, term);
    }
}
