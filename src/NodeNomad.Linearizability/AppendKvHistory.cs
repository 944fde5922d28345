namespace NodeNomad.Linearizability;

/// <summary>
/// Reads key-value histories in the Jepsen EDN format of Porcupine's test data, one event per line:
/// <code>
/// {:process 3, :type :invoke, :f :append, :key "4", :value "x 3 7 y"}
/// {:process 3, :type :ok, :f :append, :key "4", :value "x 3 7 y"}
/// {:process 0, :type :invoke, :f :get, :key "5", :value nil}
/// {:process 0, :type :ok, :f :get, :key "5", :value ""}
/// </code>
/// for <see cref="AppendKvModel"/>. <c>:ok</c> completes an operation, <c>:fail</c> drops it (it did not happen),
/// <c>:info</c> or no completion leaves its outcome unknown. Times are line numbers, or the events'
/// <c>:time</c> when every event has one.
/// </summary>
public static class AppendKvHistory
{
    /// <summary>Reads a history; never throws for bad text, but returns the first problem with its line.</summary>
    public static ParsedHistory<AppendKvInput, string> Parse(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var (events, timesAreLineNumbers, error) = EdnHistoryReader.Read(reader);
        return error is not null
            ? new ParsedHistory<AppendKvInput, string>(error)
            : HistoryAssembler.Assemble(events, new Dialect(), timesAreLineNumbers);
    }

    private sealed class Dialect : HistoryDialect<AppendKvInput, string>
    {
        public override string? TryInput(HistoryEvent invoke, out AppendKvInput input)
        {
            input = AppendKvInput.Get("");
            var problem = TryKey(invoke, out var key);
            if (problem is not null)
            {
                return problem;
            }

            switch (invoke.Function)
            {
                case "get":
                    input = AppendKvInput.Get(key);
                    return null;
                case "put" or "append":
                    problem = TryString(invoke.Value, $"value to {invoke.Function}", out var value);
                    input = invoke.Function == "put" ? AppendKvInput.Put(key, value) : AppendKvInput.Append(key, value);
                    return problem;
                default:
                    return $"unknown :f :{invoke.Function} (expected :get, :put or :append)"
                        + (invoke.Function is "delete" or "cas" ? $"; a NodeNomad history starts with the line {NodeNomadKvHistory.Header}" : "");
            }
        }

        public override string? TryOutput(HistoryEvent ok, AppendKvInput input, out string output)
        {
            output = "";
            if (input.Kind != AppendKvOperationKind.Get)
            {
                return null;
            }

            return ok.Value is null
                ? $"get returned nil, but in this format a key never written reads as \"\"; a NodeNomad history, where get returns nil for an absent key, starts with the line {NodeNomadKvHistory.Header}"
                : TryString(ok.Value, "value returned by get", out output);
        }
    }
}
