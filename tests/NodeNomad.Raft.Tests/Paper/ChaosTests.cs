using System.Text;
using NodeNomad.Raft.Tests.Harness;

namespace NodeNomad.Raft.Tests.Paper;

/// <summary>
/// Randomized schedules of partitions, loss, crashes, compaction, membership changes, transfers and reads. The
/// invariant checker runs after every step; each seed replays exactly (the failure message names it).
/// </summary>
public class ChaosTests
{
    [Fact]
    public void membership_changes_transfers_and_reads_under_chaos_never_break_safety()
    {
        foreach (var seed in ChaosSeeds.Get(40))
        {
            Run(seed);
        }
    }

    /// <summary>One schedule; replay a failing seed by calling Run(seed).</summary>
    private static void Run(int seed)
    {
        var random = new Random(seed);
        var net = new RaftNetwork(3, seed: seed);
        net.Add(4, initialMembers: null);
        net.Add(5, initialMembers: null);
        net.Drop = _ => random.NextDouble() < 0.1;
        var reads = new Dictionary<string, ulong>();
        var proposed = 0;
        try
        {
            for (var step = 0; step < 500; step++)
            {
                var roll = random.Next(100);
                var id = (ulong)random.Next(1, 6);
                var node = net[id];
                if (roll < 3)
                {
                    net.Partition([.. Enumerable.Range(1, 5).Where(_ => random.Next(2) == 0).Select(i => (ulong)i)]);
                }
                else if (roll < 6)
                {
                    net.Heal();
                }
                else if (roll < 8 && !node.Down)
                {
                    net.Crash(id);
                }
                else if (roll < 11 && node.Down)
                {
                    net.Restart(id);
                }
                else if (roll < 14 && !node.Down)
                {
                    var target = (ulong)random.Next(1, 6);
                    var type = (ConfChangeType)random.Next(3);
                    node.Raft.ProposeConfChange(new ConfChange(type, target));
                    net.ProcessAll();
                }
                else if (roll < 16 && !node.Down)
                {
                    node.Raft.TransferLeadership((ulong)random.Next(1, 6));
                    net.ProcessAll();
                }
                else if (roll < 20 && !node.Down)
                {
                    // A read must observe every write that completed before it was issued.
                    var context = $"read-{step}";
                    reads[context] = net.Nodes.Values.Max(n => n.History.LastOrDefault()?.Index ?? 0);
                    node.Raft.ReadIndex(Encoding.UTF8.GetBytes(context));
                    net.ProcessAll();
                }
                else if (roll < 32 && !node.Down)
                {
                    net.Propose(id, $"v{proposed++}");
                }
                else if (roll < 35 && !node.Down && node.AppliedIndex > 0)
                {
                    node.Compact(node.AppliedIndex);
                }
                else if (roll < 65)
                {
                    net.TickAll();
                }
                else
                {
                    net.DeliverPending();
                }

                CheckReads(net, reads);
            }

            net.SettleAndCommitEverywhere();
            CheckReads(net, reads);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var states = string.Join("\n", net.Nodes.Values.SelectMany(Describe.Status));
            throw new InvalidOperationException($"chaos seed {seed} failed (replay: NODENOMAD_CHAOS_SEED={seed}): {e.Message}\n{states}", e);
        }
    }

    private static void CheckReads(RaftNetwork net, Dictionary<string, ulong> reads)
    {
        foreach (var node in net.Nodes.Values)
        {
            foreach (var read in node.ReadStates)
            {
                var context = Encoding.UTF8.GetString(read.Context.Span);
                if (reads.TryGetValue(context, out var completedBefore) && read.Index < completedBefore)
                {
                    throw new InvariantViolation($"read {context} on n{node.Id} at index {read.Index} misses writes applied up to {completedBefore}");
                }
            }
        }
    }
}
