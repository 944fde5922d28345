using System.Globalization;

namespace NodeNomad.Linearizability;

/// <summary>
/// Porcupine's search over one partition: Wing and Gong's backtracking with Lowe's memoisation.
/// </summary>
/// <remarks>
/// The history becomes a doubly linked list of call and return entries sorted by time (calls first at equal
/// times, so that touching operations count as concurrent). The search walks the list from its head: at a call
/// it tries to linearize that operation now (the model accepts it and the pair (set of linearized operations,
/// state) has not been seen before), and if so lifts its call and return out of the list and starts again from
/// the head; at a return it has passed an operation that had to be linearized already, so it backtracks the
/// last choice and tries the next call after it. The list empties exactly when every operation is linearized.
/// Backtracking uses an explicit stack, never recursion, so a history of any length fits.
/// </remarks>
internal sealed class PartitionSearch<TState, TInput, TOutput>
{
    private const int Head = 0;

    // The cancellation token is polled every this many steps: cheap enough, and well under a millisecond apart.
    private const int StepsBetweenPolls = 1024;

    private readonly Model<TState, TInput, TOutput> model;
    private readonly HistoryPartition<TInput, TOutput> partition;
    private readonly Operation<TInput, TOutput>[] operations;

    // Entries 1..2n are the sorted calls and returns; 0 is the head sentinel and 2n+1 the tail sentinel.
    private readonly int tail;
    private readonly int[] next;
    private readonly int[] prev;
    private readonly int[] operationOf;

    // For a call entry, the entry of its return; -1 for a return entry.
    private readonly int[] returnOf;

    // Whether each operation only reads (see Model.IsReadOnly).
    private readonly bool[] readOnly;

    // For each read with an observed answer, the writes that do not merely grow the state (Model.Grows) and could
    // come before it (called no later than it returned); null for other operations. See Passes.
    private readonly int[]?[] resetsBefore;

    // Random keys per operation: the hash of a set of linearized operations is the XOR of its members' keys,
    // kept up to date in O(1) as operations are linearized and undone (Zobrist hashing).
    private readonly ulong[] operationKeys;

    public PartitionSearch(Model<TState, TInput, TOutput> model, HistoryPartition<TInput, TOutput> partition)
    {
        this.model = model;
        this.partition = partition;
        // An unanswered read constrains nothing: it could take effect anywhere, changing nothing.
        operations = [.. partition.Operations.Where(operation => !(operation.IsOutcomeUnknown && model.IsReadOnly(operation.Input)))];
        var n = operations.Length;
        tail = 2 * n + 1;
        next = new int[2 * n + 2];
        prev = new int[2 * n + 2];
        operationOf = new int[2 * n + 2];
        returnOf = new int[2 * n + 2];
        operationKeys = new ulong[n];
        readOnly = [.. operations.Select(operation => model.IsReadOnly(operation.Input))];

        resetsBefore = new int[]?[n];
        var resets = Enumerable.Range(0, n).Where(i => !readOnly[i] && !model.Grows(operations[i].Input)).ToArray();
        for (var i = 0; i < n; i++)
        {
            if (readOnly[i] && !operations[i].IsOutcomeUnknown)
            {
                var returned = operations[i].Return;
                resetsBefore[i] = [.. resets.Where(w => operations[w].Call <= returned)];
            }
        }

        var sorted = SortedEntries(operations);
        var entryOfReturn = new int[n];
        for (var position = 0; position < sorted.Length; position++)
        {
            operationOf[position + 1] = sorted[position].Operation;
            if (!sorted[position].IsCall)
            {
                entryOfReturn[sorted[position].Operation] = position + 1;
            }
        }

        for (var position = 0; position < sorted.Length; position++)
        {
            returnOf[position + 1] = sorted[position].IsCall ? entryOfReturn[sorted[position].Operation] : -1;
        }

        for (var entry = 0; entry <= tail; entry++)
        {
            next[entry] = Math.Min(entry + 1, tail);
            prev[entry] = Math.Max(entry - 1, Head);
        }

        var seed = 0x9E3779B97F4A7C15UL;
        for (var i = 0; i < n; i++)
        {
            operationKeys[i] = SplitMix64(ref seed);
        }
    }

    public PartitionOutcome Run(CancellationToken stop)
    {
        var n = operations.Length;
        var linearized = new ulong[(n + 63) / 64];
        var linearizedKey = 0UL;
        var cache = new HashSet<CacheKey>(new CacheKeyComparer(model.States));

        // The choices made so far: the call entry linearized at each depth, the state before it, and whether it was a
        // read taken without a choice (see below).
        var chosenEntries = new int[n];
        var statesBefore = new TState[n];
        var forced = new bool[n];
        var depth = 0;

        // The deepest linearization seen, for the failure message. best[0..unchangedBelow) still equals the
        // current choices, so recording a new deepest copies only what changed since the last one.
        var best = new int[n];
        var bestDepth = 0;
        var unchangedBelow = 0;
        var state = model.Init();
        var bestState = state;

        var entry = next[Head];
        var steps = 0;
        while (next[Head] != tail)
        {
            if (++steps == StepsBetweenPolls)
            {
                steps = 0;
                if (stop.IsCancellationRequested)
                {
                    return PartitionOutcome.Stopped;
                }
            }

            if (returnOf[entry] >= 0)
            {
                var operation = operationOf[entry];
                var (accepted, after) = Step(state, operations[operation]);
                if (accepted)
                {
                    Set(linearized, operation);
                    linearizedKey ^= operationKeys[operation];
                    var seen = new CacheKey(linearized, after, Hash(linearizedKey, after));
                    if ((readOnly[operation] || !Strands(entry, after, linearized)) && !cache.Contains(seen))
                    {
                        cache.Add(seen with { Linearized = (ulong[])linearized.Clone() });
                        chosenEntries[depth] = entry;
                        statesBefore[depth] = state;

                        // A read the state accepts is linearized here and now, and never put off: it changes nothing, so
                        // any linearization that places it later can place it here instead (its call has passed and its
                        // return has not). Backtracking skips over it rather than trying the calls after it.
                        forced[depth] = readOnly[operation];
                        depth++;
                        state = after;
                        Lift(entry);
                        if (depth > bestDepth)
                        {
                            for (var i = unchangedBelow; i < depth; i++)
                            {
                                best[i] = operationOf[chosenEntries[i]];
                            }

                            bestDepth = depth;
                            bestState = state;
                            unchangedBelow = depth;
                        }

                        entry = next[Head];
                        continue;
                    }

                    Clear(linearized, operation);
                    linearizedKey ^= operationKeys[operation];
                }

                entry = next[entry];
            }
            else
            {
                // A return: its operation should have been linearized before this point. Undo the last choice (and the
                // reads taken without a choice on the way to it).
                bool undidForced;
                do
                {
                    if (depth == 0)
                    {
                        return new PartitionOutcome(Verdict.NotLinearizable, Violation(best.AsSpan(0, bestDepth), bestState));
                    }

                    depth--;
                    undidForced = forced[depth];
                    entry = chosenEntries[depth];
                    state = statesBefore[depth];
                    statesBefore[depth] = default!;
                    var operation = operationOf[entry];
                    Clear(linearized, operation);
                    linearizedKey ^= operationKeys[operation];
                    Unlift(entry);
                    unchangedBelow = Math.Min(unchangedBelow, depth);
                }
                while (undidForced);

                entry = next[entry];
            }
        }

        return PartitionOutcome.Linearizable;
    }

    /// <summary>
    /// True when, after the write at <paramref name="call"/> took the state to <paramref name="after"/>, a read still
    /// to be placed (its call is in the list, now or later) can never be placed: the model says the state has outgrown
    /// the read's answer, and every write that could have reset the state before the read returned is linearized
    /// already. Every linearization through this point would fail at that read's return, so the search does not go
    /// on from here. For appends this cuts the 50-client bad history's search from millions of steps to thousands:
    /// a wrong order of appends is dropped at the first append that no pending read's value allows.
    /// </summary>
    private bool Strands(int call, TState after, ulong[] linearized)
    {
        for (var entry = next[Head]; entry != tail; entry = next[entry])
        {
            if (returnOf[entry] < 0 || entry == call || resetsBefore[operationOf[entry]] is not { } resets)
            {
                continue;
            }

            var operation = operations[operationOf[entry]];
            if (model.Outgrown(after, operation.Input, operation.Output!) && AllSet(linearized, resets))
            {
                return true;
            }
        }

        return false;
    }

    private static bool AllSet(ulong[] bits, int[] indexes)
    {
        foreach (var index in indexes)
        {
            if ((bits[index >> 6] & (1UL << (index & 63))) == 0)
            {
                return false;
            }
        }

        return true;
    }

    private (bool Accepted, TState After) Step(TState state, Operation<TInput, TOutput> operation) =>
        operation.IsOutcomeUnknown ? (true, model.StepUnobserved(state, operation.Input)) : model.Step(state, operation.Input, operation.Output);

    private LinearizabilityViolation Violation(ReadOnlySpan<int> prefix, TState stateAfterPrefix)
    {
        var inPrefix = new bool[operations.Length];
        var described = new List<string>(prefix.Length);
        foreach (var operation in prefix)
        {
            inPrefix[operation] = true;
            described.Add(Describe(operations[operation]));
        }

        // What could come next: calls, in time order, up to the first return of an operation not linearized yet.
        var candidates = new List<string>();
        foreach (var (operation, isCall) in SortedEntries(operations))
        {
            if (inPrefix[operation])
            {
                continue;
            }

            if (!isCall)
            {
                break;
            }

            var why = Step(stateAfterPrefix, operations[operation]).Accepted
                ? "allowed in that state, but no linearization of the remaining operations follows"
                : "the model rejects it in that state";
            candidates.Add($"{Describe(operations[operation])}: {why}");
        }

        return new LinearizabilityViolation(partition.Name, partition.Operations.Count, described, model.DescribeState(stateAfterPrefix), candidates);
    }

    private string Describe(Operation<TInput, TOutput> operation)
    {
        var when = operation.IsOutcomeUnknown
            ? string.Create(CultureInfo.InvariantCulture, $"client {operation.ClientId}, called at {operation.Call}, never answered")
            : string.Create(CultureInfo.InvariantCulture, $"client {operation.ClientId}, called at {operation.Call}, answered at {operation.Return}");
        var what = operation.IsOutcomeUnknown
            ? model.DescribeOperation(operation.Input)
            : model.DescribeOperation(operation.Input, operation.Output);
        return $"{what} ({when})";
    }

    private int Hash(ulong linearizedKey, TState state) =>
        HashCode.Combine(linearizedKey, state is null ? 0 : model.States.GetHashCode(state));

    private void Lift(int call)
    {
        next[prev[call]] = next[call];
        prev[next[call]] = prev[call];
        var @return = returnOf[call];
        next[prev[@return]] = next[@return];
        prev[next[@return]] = prev[@return];
    }

    // Exactly undoes Lift: the removed entries kept their own links, so relinking in reverse order restores the list.
    private void Unlift(int call)
    {
        var @return = returnOf[call];
        next[prev[@return]] = @return;
        prev[next[@return]] = @return;
        next[prev[call]] = call;
        prev[next[call]] = call;
    }

    private static (int Operation, bool IsCall)[] SortedEntries(Operation<TInput, TOutput>[] operations)
    {
        var entries = new (int Operation, bool IsCall)[operations.Length * 2];
        for (var i = 0; i < operations.Length; i++)
        {
            entries[2 * i] = (i, true);
            entries[2 * i + 1] = (i, false);
        }

        Array.Sort(entries, (a, b) =>
        {
            var byTime = Time(operations, a).CompareTo(Time(operations, b));
            if (byTime != 0)
            {
                return byTime;
            }

            // Calls before returns at the same time; then by operation, for a deterministic order.
            return a.IsCall != b.IsCall ? (a.IsCall ? -1 : 1) : a.Operation.CompareTo(b.Operation);
        });
        return entries;
    }

    private static long Time(Operation<TInput, TOutput>[] operations, (int Operation, bool IsCall) entry) =>
        entry.IsCall ? operations[entry.Operation].Call : operations[entry.Operation].Return;

    private static void Set(ulong[] bits, int index) => bits[index >> 6] |= 1UL << (index & 63);

    private static void Clear(ulong[] bits, int index) => bits[index >> 6] &= ~(1UL << (index & 63));

    private static ulong SplitMix64(ref ulong seed)
    {
        var z = seed += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private readonly record struct CacheKey(ulong[] Linearized, TState State, int Hash);

    private sealed class CacheKeyComparer(IEqualityComparer<TState> states) : IEqualityComparer<CacheKey>
    {
        public bool Equals(CacheKey x, CacheKey y) =>
            x.Hash == y.Hash && x.Linearized.AsSpan().SequenceEqual(y.Linearized) && states.Equals(x.State, y.State);

        public int GetHashCode(CacheKey obj) => obj.Hash;
    }
}
