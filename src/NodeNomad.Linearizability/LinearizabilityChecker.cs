using System.Diagnostics;

namespace NodeNomad.Linearizability;

/// <summary>
/// Decides whether a history of concurrent operations is linearizable with respect to a model, with
/// Porcupine's algorithm: the model's partitions are checked independently and in parallel, each by
/// Wing and Gong's backtracking search with Lowe's memoisation of (linearized operations, state).
/// </summary>
public static class LinearizabilityChecker
{
    /// <summary>Checks <paramref name="history"/> against <paramref name="model"/>.</summary>
    /// <param name="model">The sequential specification; see <see cref="Model{TState, TInput, TOutput}"/>.</param>
    /// <param name="history">The operations, in any order.</param>
    /// <param name="timeout">Gives up with <see cref="Verdict.Timeout"/> after this long; null waits for a verdict.</param>
    /// <param name="cancellationToken">Also gives up with <see cref="Verdict.Timeout"/>, without throwing.</param>
    /// <returns>
    /// The verdict. <see cref="Verdict.NotLinearizable"/> is reported as soon as one partition fails (the others
    /// are abandoned); its <see cref="CheckResult.Violation"/> explains the failing partition.
    /// </returns>
    public static CheckResult Check<TState, TInput, TOutput>(
        Model<TState, TInput, TOutput> model,
        IReadOnlyList<Operation<TInput, TOutput>> history,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(history);
        if (timeout is { } limit)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(limit, TimeSpan.Zero);
        }

        var started = Stopwatch.GetTimestamp();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } after)
        {
            stop.CancelAfter(after);
        }

        var partitions = model.Partition(history);
        var outcomes = new PartitionOutcome[partitions.Count];

        // Largest partitions first, so that the last one started is not the one everybody waits for; and at least
        // two at a time, so that even on one core a hopeless partition cannot hide a failure found quickly elsewhere.
        var largestFirst = Enumerable.Range(0, partitions.Count).OrderByDescending(i => partitions[i].Operations.Count).ToArray();
        var parallelism = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount) };
        Parallel.ForEach(largestFirst, parallelism, i =>
        {
            var outcome = stop.IsCancellationRequested
                ? PartitionOutcome.Stopped
                : new PartitionSearch<TState, TInput, TOutput>(model, partitions[i]).Run(stop.Token);
            outcomes[i] = outcome;
            if (outcome.Verdict == Verdict.NotLinearizable)
            {
                // One failing partition decides the verdict; the others need not finish.
                stop.Cancel();
            }
        });

        var failed = outcomes.FirstOrDefault(outcome => outcome.Verdict == Verdict.NotLinearizable);
        var checkedCount = outcomes.Count(outcome => outcome.Verdict != Verdict.Timeout);
        var verdict = failed is not null ? Verdict.NotLinearizable
            : checkedCount == partitions.Count ? Verdict.Linearizable
            : Verdict.Timeout;
        return new CheckResult(verdict, history.Count, partitions.Count, checkedCount, Stopwatch.GetElapsedTime(started), failed?.Violation);
    }
}
