using System.Globalization;
using NodeNomad.Contracts;
using NodeNomad.Simulation.Rebalancing;

namespace NodeNomad.Simulation.Tests;

/// <summary>
/// What a run of hot-spot load shows about convergence: when the most loaded node first came within the bound, the
/// moves each shard made in a window after, and whether any shard's leadership or replica came back to where it was.
/// A move is one asked of the meta group (a migration, or a leadership hand-over, by any driver); a hand-over that
/// follows a migration of the same shard to the same node (the leader replica moved, then its leadership) is part of
/// that migration, not a move of its own.
/// </summary>
internal static class ConvergenceFigures
{
    /// <summary>The first time from <paramref name="from"/> that the most loaded node was within <paramref name="bound"/> of the mean.</summary>
    public static long? ConvergedAt(RebalancingResult result, double bound, long from) => result.FirstAtOrBelow(bound, from);

    /// <summary>The moves asked for in [<paramref name="from"/>, <paramref name="to"/>), followed hand-overs folded into their migrations.</summary>
    public static List<ShardMove> MovesBetween(RebalancingResult result, long from, long to)
    {
        var moves = new List<ShardMove>();
        foreach (var move in result.Asked)
        {
            var follows = move.Kind == ShardMove.Handover && result.Asked.Any(m => m.Kind == ShardMove.Migration && m.ShardId == move.ShardId
                && m.Target == move.Target && m.At <= move.At && move.At - m.At < 60_000);
            if (!follows && move.At >= from && move.At < to)
            {
                moves.Add(move);
            }
        }

        return moves;
    }

    /// <summary>The most moves one shard made among <paramref name="moves"/>.</summary>
    public static int MostPerShard(IEnumerable<ShardMove> moves) => moves.GroupBy(m => m.ShardId).Select(g => g.Count()).DefaultIfEmpty(0).Max();

    /// <summary>Leader changes seen in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public static List<ShardChange> LeaderChanges(RebalancingResult result, long from, long to) =>
        [.. result.Changes.Where(c => c.Kind == ShardChange.Leader && c.At >= from && c.At < to)];

    /// <summary>
    /// Every shard whose leadership went back to a node it had left (A → B → A), or whose voters came back to a set
    /// they had left, from <paramref name="from"/> on: "shard-3 leader node-1 → node-2 → node-1 (t=…)".
    /// </summary>
    public static List<string> PingPongs(RebalancingResult result, long from)
    {
        var found = new List<string>();
        foreach (var shard in result.Changes.Where(c => c.At >= from).GroupBy(c => (c.ShardId, c.Kind)))
        {
            var changes = shard.ToList();
            for (var i = 1; i < changes.Count; i++)
            {
                if (changes[i].To == changes[i - 1].From)
                {
                    found.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{ShardNames.Of(shard.Key.ShardId)} {shard.Key.Kind} {changes[i - 1].From} → {changes[i - 1].To} (t={changes[i - 1].At}) → {changes[i].To} (t={changes[i].At})"));
                }
            }
        }

        return found;
    }

    /// <summary>The most loaded node's ratio, sampled every <paramref name="step"/> ms from <paramref name="from"/>: "1.00 3.20 2.40 …".</summary>
    public static string Course(RebalancingResult result, long from, long to, long step) =>
        string.Join(" ", result.Hottest.Where(h => h.At >= from && h.At < to && (h.At - from) / 1000 % (step / 1000) == 0)
            .Select(h => h.Ratio.ToString("0.00", CultureInfo.InvariantCulture)));

    /// <summary>One line per move: "t=… handover shard-3 -> n2 (rebalance r…)".</summary>
    public static IEnumerable<string> Lines(IEnumerable<ShardMove> moves) =>
        moves.Select(m => string.Create(CultureInfo.InvariantCulture, $"t={m.At} {m.Kind} {ShardNames.Of(m.ShardId)} {m.Source ?? "-"} -> {m.Target}: {m.Reason}"));
}
