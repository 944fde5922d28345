using NodeNomad.Raft;

namespace NodeNomad.Storage.Tests;

/// <summary>
/// Random batches, overwrites, installed snapshots, dropped groups, compactions, restarts and crashes that tear the last record,
/// checked after every restart against a model of what the log must hold. The seed is printed; set
/// NODENOMAD_SEED to replay it.
/// </summary>
public sealed class RandomizedLogTests : FileLogTest
{
    private const int Steps = 300;

    // Groups written at different rates, so that some fall idle while the others' compactions delete segments.
    private static readonly ulong[] GroupIds = [1, 2, 3, 40];
    private static readonly int[] GroupWeights = [8, 4, 2, 1];

    private readonly ITestOutputHelper _output;

    public RandomizedLogTests(ITestOutputHelper output)
    {
        _output = output;
        Options = new FileRaftLogOptions { SegmentBytes = 4096 };
    }

    [Fact]
    public async Task random_writes_restarts_and_crashes_recover_what_the_model_holds()
    {
        (int seed, string replay) = RandomLog.Seed(typeof(RandomizedLogTests));
        _output.WriteLine($"seed {seed}; replay with: {replay}");

        try
        {
            await new Run(this, new Random(seed)).ExecuteAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new ShouldAssertException($"Failed with seed {seed}; replay with: {replay}{Environment.NewLine}{e.Message}", e);
        }
    }

    /// <summary>One run of random steps against one data directory.</summary>
    private sealed class Run(RandomizedLogTests test, Random random)
    {
        private LogModel _model = new();
        private FileRaftLog _log = null!;
        private ulong _term = 1;
        private string _lastStep = "";

        public async Task ExecuteAsync()
        {
            await RestartAsync(appendZeros: false);
            for (int step = 0; step < Steps; step++)
            {
                int roll = random.Next(100);
                if (roll < 60)
                {
                    await SaveAsync(RandomBatch());
                }
                else if (roll < 72)
                {
                    await CompactAsync();
                }
                else if (roll < 82)
                {
                    await SaveRejectedAsync();
                }
                else
                {
                    await RestartAsync(appendZeros: random.Next(4) == 0);
                }

                test._output.WriteLine($"{step}: {_lastStep} ({test.Segments.Length} segments)");
                _log.Statistics.Segments.ShouldBe(test.Segments.Length, $"step {step}");
                _log.Statistics.Bytes.ShouldBe(test.Segments.Concat(test.SnapshotFiles).Sum(LengthOf), $"step {step}");
                test.SnapshotFiles.Length.ShouldBe(_model.Groups.Values.Count(g => g.Snapshot is not null), $"step {step}: one snapshot file per group that has a snapshot");
            }

            await RestartAsync(appendZeros: false);
        }

        private async Task SaveAsync(LogBatch batch)
        {
            _lastStep = "save " + string.Join(", ", batch.Dropped.Select(id => $"drop group {id}").Concat(batch.Groups.Select(Describe)));
            Crash? crash = PlanCrash();
            await _log.SaveAsync(batch, Ct);
            _model.Save(batch);

            // A crash that tears the batch's record undoes it, even the snapshots it installs, though their files are durable.
            await CrashAsync(crash);
        }

        private async Task CompactAsync()
        {
            ulong[] candidates = [.. _model.Groups.Where(g => g.Value.LastIndex > g.Value.SnapshotIndex).Select(g => g.Key)];
            if (candidates.Length == 0)
            {
                _lastStep = "no compaction: no group has entries";
                return;
            }

            ModelGroup group = _model.Groups[candidates[random.Next(candidates.Length)]];
            ulong index = group.SnapshotIndex + 1 + (ulong)random.NextInt64((long)(group.LastIndex - group.SnapshotIndex));
            Snapshot snapshot = RandomSnapshot(index, group.Entries.Single(e => e.Index == index).Term);
            _lastStep = $"compact group {group.Id} at {index}";
            Crash? crash = PlanCrash();
            await _log.CompactAsync(group.Id, snapshot, Ct);
            _model.Compact(group.Id, snapshot);

            // A crash that tears the compaction record undoes it, though its snapshot file is durable.
            await CrashAsync(crash);
        }

        private async Task SaveRejectedAsync()
        {
            ulong groupId = GroupIds[random.Next(GroupIds.Length)];
            ModelGroup group = _model.Group(groupId);
            Entry[] entries = random.Next(3) switch
            {
                0 => [RandomEntry(group.LastIndex + 2)],
                1 => [RandomEntry(group.LastIndex + 1), RandomEntry(group.LastIndex + 3)],
                _ => [RandomEntry(group.SnapshotIndex)],
            };

            _lastStep = $"rejected: group {groupId} entries {string.Join(",", entries.Select(e => e.Index))}";
            await Should.ThrowAsync<ArgumentException>(async () => await _log.SaveAsync(new LogBatch([GroupWrite.Of(groupId, null, entries)]), Ct));
        }

        /// <summary>Decides whether the next write crashes, and if so keeps what it needs to simulate the crash.</summary>
        private Crash? PlanCrash() =>
            random.Next(100) < 10 ? new Crash(test.CopyFiles(), _model.Clone(), test.LastSegment, LengthOf(test.LastSegment)) : null;

        /// <summary>Crashes the node during the write just made, tearing its record, and restarts it.</summary>
        private async Task CrashAsync(Crash? crash)
        {
            // A write that started a new segment first wrote a checkpoint; only the last record of a segment is torn here.
            if (crash is null || test.LastSegment != crash.Segment)
            {
                return;
            }

            long recordLength = LengthOf(test.LastSegment) - crash.RecordStart;
            await _log.DisposeAsync();

            long kept = random.NextInt64(recordLength);
            test.CrashDuringLastRecord(crash.Files, crash.RecordStart, kept);
            if (random.Next(2) == 0)
            {
                // Garbage that stays within the record's claimed length, or zeros where nothing of it was written.
                byte[] junk = new byte[kept == 0 ? random.Next(1, 64) : random.NextInt64(recordLength - kept)];
                if (kept > 0)
                {
                    random.NextBytes(junk);
                }

                AppendBytes(test.LastSegment, junk);
            }

            long tornBytes = LengthOf(test.LastSegment) - crash.RecordStart;
            _lastStep += $", then a crash tore {tornBytes} bytes";
            _model = crash.Model;
            RecoveredLog recovered = await StartAndCompareAsync();
            recovered.TruncatedTailBytes.ShouldBe(tornBytes);
        }

        private async Task RestartAsync(bool appendZeros)
        {
            int zeros = 0;
            _lastStep = "restart";
            if (_log is not null)
            {
                await _log.DisposeAsync();
                if (appendZeros)
                {
                    zeros = random.Next(1, 200);
                    AppendBytes(test.LastSegment, new byte[zeros]);
                    _lastStep += $" after {zeros} zeros were appended";
                }
            }

            RecoveredLog recovered = await StartAndCompareAsync();
            recovered.TruncatedTailBytes.ShouldBe(zeros);
        }

        private async Task<RecoveredLog> StartAndCompareAsync()
        {
            (_log, RecoveredLog recovered) = await test.StartAsync();
            _model.ShouldMatch(recovered);
            return recovered;
        }

        private LogBatch RandomBatch()
        {
            // Any group may be dropped, held or not; a group dropped and written in one batch starts a new log.
            ulong[] dropped = random.Next(12) == 0 ? [GroupIds[random.Next(GroupIds.Length)]] : [];
            var writes = new List<GroupWrite>();
            foreach (ulong groupId in GroupIds.OrderBy(id => random.NextDouble() / GroupWeights[Array.IndexOf(GroupIds, id)]).Take(random.Next(1, 4)))
            {
                ModelGroup group = dropped.Contains(groupId) ? new ModelGroup(groupId) : _model.Group(groupId);
                HardState? hardState = random.Next(3) == 0 ? new HardState(_term, (ulong)random.Next(4), (ulong)random.NextInt64((long)group.LastIndex + 1)) : null;

                Snapshot? installed = null;
                (ulong snapshotIndex, ulong lastIndex) = (group.SnapshotIndex, group.LastIndex);
                if (random.Next(15) == 0)
                {
                    ulong index = group.SnapshotIndex + 1 + (ulong)random.Next((int)(group.LastIndex - group.SnapshotIndex) + 5);
                    if (dropped.Contains(groupId) && index == _model.Group(groupId).SnapshotIndex)
                    {
                        // The file log writes the drop of a group given a snapshot at its old snapshot's index as a
                        // record of its own, before the batch's: a crash can keep the one and tear the other, which
                        // this model of a torn batch does not know.
                        index++;
                    }

                    installed = RandomSnapshot(index, _term);
                    (snapshotIndex, lastIndex) = (index, index);
                }

                ulong first = lastIndex + 1;
                if (installed is null && lastIndex > snapshotIndex && random.Next(4) == 0)
                {
                    // A new leader overwrites a conflicting suffix.
                    first = snapshotIndex + 1 + (ulong)random.NextInt64((long)(lastIndex - snapshotIndex));
                    _term++;
                }

                Entry[] entries = [.. Enumerable.Range(0, random.Next(5)).Select(i => RandomEntry(first + (ulong)i))];
                writes.Add(new GroupWrite(groupId, hardState, installed, entries));
            }

            return new LogBatch(writes) { Dropped = dropped };
        }

        private static string Describe(GroupWrite write) =>
            $"group {write.GroupId}"
            + (write.HardState is { } h ? $" hard state {h}" : "")
            + (write.Snapshot is { } s ? $" install {s.Metadata.Index}" : "")
            + (write.Entries.Count > 0 ? $" entries {write.Entries[0].Index}..{write.Entries[^1].Index}" : "");

        private Entry RandomEntry(ulong index) => RandomLog.Entry(random, index, _term, 400);

        private Snapshot RandomSnapshot(ulong index, ulong term) => RandomLog.Snapshot(random, index, term);
    }

    /// <summary>What a crash during a write needs: the files and the model before it, and where its record starts.</summary>
    private sealed record Crash(Dictionary<string, byte[]> Files, LogModel Model, string Segment, long RecordStart);
}
