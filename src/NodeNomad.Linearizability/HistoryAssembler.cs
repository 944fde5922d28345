namespace NodeNomad.Linearizability;

/// <summary>
/// Pairs each invocation with its completion, per process, the way Jepsen histories are read: <c>:ok</c> ends an
/// operation with an answer; <c>:fail</c> means it did not happen (dropped, unless the format says the failure
/// observed something); <c>:info</c>, or no completion at all, leaves its outcome unknown. After <c>:info</c>
/// Jepsen gives the crashed process a new id, but a reused id is fine: the <c>:info</c> closed the old operation.
/// </summary>
internal static class HistoryAssembler
{
    public static ParsedHistory<TInput, TOutput> Assemble<TInput, TOutput>(
        IEnumerable<HistoryEvent> events,
        HistoryDialect<TInput, TOutput> dialect,
        bool timesAreLineNumbers)
    {
        // One slot per invocation, in invocation order; null while open, and for operations that did not happen.
        var slots = new List<Operation<TInput, TOutput>?>();
        var open = new Dictionary<int, Pending<TInput>>();
        foreach (var item in events)
        {
            if (item.Type == EventType.Invoke)
            {
                var invoke = item;
                if (open.TryGetValue(invoke.Process, out var already))
                {
                    return Failed<TInput, TOutput>(invoke, $"process {invoke.Process} invokes :{invoke.Function} while its :{already.Invoke.Function} from line {already.Invoke.Line} has not completed");
                }

                var problem = dialect.TryInput(invoke, out var input);
                if (problem is not null)
                {
                    return Failed<TInput, TOutput>(invoke, problem);
                }

                open[invoke.Process] = new Pending<TInput>(invoke, input, slots.Count);
                slots.Add(null);
                continue;
            }

            var completion = item;
            var type = ":" + completion.Type.ToString().ToLowerInvariant();
            if (!open.Remove(completion.Process, out var pending))
            {
                return Failed<TInput, TOutput>(completion, $"process {completion.Process} completes :{completion.Function} ({type}) but has no operation open");
            }

            var mismatch = Mismatch(pending.Invoke, completion);
            if (mismatch is not null)
            {
                return Failed<TInput, TOutput>(completion, mismatch);
            }

            var call = pending.Invoke.Time;
            switch (completion.Type)
            {
                case EventType.Ok:
                    var problem = dialect.TryOutput(completion, pending.Input, out var output);
                    if (problem is not null)
                    {
                        return Failed<TInput, TOutput>(completion, problem);
                    }

                    slots[pending.Slot] = new Operation<TInput, TOutput>(completion.Process, pending.Input, call, output, completion.Time);
                    break;
                case EventType.Fail:
                    if (dialect.FailIsObserved(pending.Input, out var observed))
                    {
                        slots[pending.Slot] = new Operation<TInput, TOutput>(completion.Process, pending.Input, call, observed, completion.Time);
                    }

                    break;
                default:
                    slots[pending.Slot] = new Operation<TInput, TOutput>(completion.Process, pending.Input, call);
                    break;
            }
        }

        foreach (var pending in open.Values)
        {
            slots[pending.Slot] = new Operation<TInput, TOutput>(pending.Invoke.Process, pending.Input, pending.Invoke.Time);
        }

        return new ParsedHistory<TInput, TOutput>([.. slots.OfType<Operation<TInput, TOutput>>()], timesAreLineNumbers);
    }

    private static string? Mismatch(HistoryEvent invoke, HistoryEvent completion)
    {
        if (!string.Equals(invoke.Function, completion.Function, StringComparison.Ordinal))
        {
            return $"process {completion.Process} completes :{completion.Function}, but the operation it has open (line {invoke.Line}) is :{invoke.Function}";
        }

        if (completion.Key is not null && !Equals(completion.Key, invoke.Key))
        {
            return $"process {completion.Process} completes key {EdnReader.Describe(completion.Key)}, but the operation it has open (line {invoke.Line}) is on key {EdnReader.Describe(invoke.Key)}";
        }

        // An :info may come at any time: its operation is treated as returning at +infinity anyway.
        return completion.Type != EventType.Info && completion.Time < invoke.Time
            ? $"the completion's :time {completion.Time} is before its invocation's, {invoke.Time} (line {invoke.Line})"
            : null;
    }

    private static ParsedHistory<TInput, TOutput> Failed<TInput, TOutput>(HistoryEvent at, string reason) =>
        new(new HistoryParseError(at.Line, reason));

    private sealed record Pending<TInput>(HistoryEvent Invoke, TInput Input, int Slot);
}
