using System.Globalization;

namespace NodeNomad.Linearizability;

/// <summary>
/// Writes and reads NodeNomad's own key-value histories (<see cref="NodeNomadKvModel"/>) in Jepsen's EDN format,
/// so that a failing test run can save its history and anyone can re-check it by hand with
/// <see cref="HistoryFile.Check"/> (the CLI's <c>check-history FILE</c>). The file starts with
/// <see cref="Header"/>, then holds one event per line:
/// <code>
/// {:process 0, :type :invoke, :f :put, :key "k", :value "v", :time 1000}
/// {:process 0, :type :ok, :f :put, :key "k", :value "v", :time 1250}
/// {:process 1, :type :invoke, :f :get, :key "k", :value nil, :time 1100}
/// {:process 1, :type :ok, :f :get, :key "k", :value nil, :time 1300}
/// {:process 2, :type :invoke, :f :cas, :key "k", :value [nil "w"], :time 1400}
/// {:process 2, :type :fail, :f :cas, :key "k", :value [nil "w"], :time 1500}
/// {:process 3, :type :invoke, :f :delete, :key "k", :value nil, :time 1600}
/// {:process 3, :type :info, :f :delete, :key "k", :value nil, :time 1700}
/// </code>
/// <c>:value nil</c> from a get means the key was absent; a cas's value is <c>[expected new]</c>, with
/// <c>nil</c> expecting an absent key, and <c>:fail</c> on a cas means it found another value (it is checked,
/// not dropped); <c>:fail</c> on anything else means it did not happen. <c>:info</c> (or no completion) means
/// the outcome is unknown. Every event carries the <c>:time</c> the test recorded, so re-checking the file
/// judges exactly the history the test judged.
/// </summary>
public static class NodeNomadKvHistory
{
    /// <summary>The first line of every NodeNomad history file; it is how <see cref="HistoryFile"/> recognises one.</summary>
    public const string Header = ";; nodenomad-kv history";

    /// <summary>Writes <paramref name="history"/> to a new file at <paramref name="path"/> (UTF-8).</summary>
    /// <inheritdoc cref="Write(TextWriter, IEnumerable{Operation{NodeNomadKvInput, NodeNomadKvOutput}})" path="/exception"/>
    public static void Write(string path, IEnumerable<Operation<NodeNomadKvInput, NodeNomadKvOutput>> history)
    {
        using var writer = File.CreateText(path);
        Write(writer, history);
    }

    /// <summary>Writes <paramref name="history"/>: the header, then each client's events in order, merged by time.</summary>
    /// <exception cref="ArgumentException">
    /// A client has two operations open at once: a client is one sequential actor, so give each its own id.
    /// </exception>
    public static void Write(TextWriter writer, IEnumerable<Operation<NodeNomadKvInput, NodeNomadKvOutput>> history)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(history);
        var clients = history
            .GroupBy(operation => operation.ClientId)
            .OrderBy(client => client.Key)
            .Select(client => client.OrderBy(operation => operation.Call).ThenBy(operation => operation.Return).ToList())
            .ToList();
        foreach (var client in clients)
        {
            for (var i = 0; i + 1 < client.Count; i++)
            {
                var (operation, following) = (client[i], client[i + 1]);
                if (!operation.IsOutcomeUnknown && operation.Return > following.Call)
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"Client {operation.ClientId} calls at {following.Call} while its operation called at {operation.Call} is open until {operation.Return}: a client runs one operation at a time, so give each concurrent actor its own client id."),
                        nameof(history));
                }
            }
        }

        var end = clients.SelectMany(client => client)
            .Select(operation => operation.IsOutcomeUnknown ? operation.Call : operation.Return)
            .DefaultIfEmpty(0)
            .Max();
        var lines = clients.Select(client => EventsOf(client, end).GetEnumerator()).ToList();

        writer.WriteLine($"{Header}: NodeNomad key-value operations, one Jepsen event per line, at the :time the test recorded.");
        writer.WriteLine(";; get answers nil for an absent key; :fail on a cas means it found another value; :info means the outcome is unknown.");

        // Each client's events stay in its own order, so every completion follows its invocation; clients are
        // merged by time, completions first at equal times. The check itself reads :time, not the line order.
        var next = new PriorityQueue<int, (long Time, int Rank, int Client)>();
        for (var client = 0; client < lines.Count; client++)
        {
            Enqueue(next, lines, client);
        }

        while (next.TryDequeue(out var client, out _))
        {
            writer.WriteLine(lines[client].Current.Text);
            Enqueue(next, lines, client);
        }
    }

    /// <summary>Reads a history written by <see cref="Write(TextWriter, IEnumerable{Operation{NodeNomadKvInput, NodeNomadKvOutput}})"/>, or by hand in the same format.</summary>
    /// <returns>The operations, or the first problem with its line; never throws for bad text.</returns>
    public static ParsedHistory<NodeNomadKvInput, NodeNomadKvOutput> Parse(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var (events, timesAreLineNumbers, error) = EdnHistoryReader.Read(reader);
        return error is not null
            ? new ParsedHistory<NodeNomadKvInput, NodeNomadKvOutput>(error)
            : HistoryAssembler.Assemble(events, new Dialect(), timesAreLineNumbers);
    }

    private static void Enqueue(PriorityQueue<int, (long, int, int)> next, List<IEnumerator<Event>> lines, int client)
    {
        if (lines[client].MoveNext())
        {
            var line = lines[client].Current;
            next.Enqueue(client, (line.Time, line.Rank, client));
        }
    }

    private static IEnumerable<Event> EventsOf(List<Operation<NodeNomadKvInput, NodeNomadKvOutput>> client, long end)
    {
        for (var i = 0; i < client.Count; i++)
        {
            var operation = client[i];
            var following = i + 1 < client.Count ? client[i + 1] : null;
            yield return new Event(operation.Call, 1, Line(operation, "invoke", operation.Input, null, operation.Call));
            if (operation.IsOutcomeUnknown)
            {
                // Placed where the client moved on; its time is ignored, as the operation may take effect any time later.
                var at = following?.Call ?? end;
                yield return new Event(at, 0, Line(operation, "info", operation.Input, null, at));
            }
            else
            {
                var type = operation.Input.Kind == NodeNomadKvOperationKind.CompareAndSet && !operation.Output.Succeeded ? "fail" : "ok";
                yield return new Event(operation.Return, 0, Line(operation, type, operation.Input, operation.Output, operation.Return));
            }
        }
    }

    private static string Line(Operation<NodeNomadKvInput, NodeNomadKvOutput> operation, string type, NodeNomadKvInput input, NodeNomadKvOutput? output, long time)
    {
        var (function, value) = input.Kind switch
        {
            NodeNomadKvOperationKind.Get => ("get", EdnText.QuoteOrNil(output?.Value)),
            NodeNomadKvOperationKind.Put => ("put", EdnText.QuoteOrNil(input.Value)),
            NodeNomadKvOperationKind.Delete => ("delete", "nil"),
            _ => ("cas", $"[{EdnText.QuoteOrNil(input.Expected)} {EdnText.QuoteOrNil(input.Value)}]"),
        };
        return string.Create(CultureInfo.InvariantCulture,
            $"{{:process {operation.ClientId}, :type :{type}, :f :{function}, :key {EdnText.Quote(input.Key)}, :value {value}, :time {time}}}");
    }

    private sealed record Event(long Time, int Rank, string Text);

    private sealed class Dialect : HistoryDialect<NodeNomadKvInput, NodeNomadKvOutput>
    {
        public override string? TryInput(HistoryEvent invoke, out NodeNomadKvInput input)
        {
            input = NodeNomadKvInput.Get("");
            var problem = TryKey(invoke, out var key);
            if (problem is not null)
            {
                return problem;
            }

            switch (invoke.Function)
            {
                case "get":
                    input = NodeNomadKvInput.Get(key);
                    return null;
                case "delete":
                    input = NodeNomadKvInput.Delete(key);
                    return null;
                case "put":
                    problem = TryString(invoke.Value, "value to put", out var value);
                    input = NodeNomadKvInput.Put(key, value);
                    return problem;
                case "cas":
                    if (invoke.Value is not IReadOnlyList<object?> { Count: 2 } pair || pair[0] is not (null or string) || pair[1] is not string written)
                    {
                        return $"expected a cas :value [expected new], with expected a string or nil and new a string; found {EdnReader.Describe(invoke.Value)}";
                    }

                    input = NodeNomadKvInput.CompareAndSet(key, (string?)pair[0], written);
                    return null;
                default:
                    return $"unknown :f :{invoke.Function} (expected :get, :put, :delete or :cas)";
            }
        }

        public override string? TryOutput(HistoryEvent ok, NodeNomadKvInput input, out NodeNomadKvOutput output)
        {
            output = NodeNomadKvOutput.Ok;
            if (input.Kind != NodeNomadKvOperationKind.Get)
            {
                return null;
            }

            if (ok.Value is not (null or string))
            {
                return $"expected get to return a string or nil, found {EdnReader.Describe(ok.Value)}";
            }

            output = NodeNomadKvOutput.Read((string?)ok.Value);
            return null;
        }

        public override bool FailIsObserved(NodeNomadKvInput input, out NodeNomadKvOutput output)
        {
            output = NodeNomadKvOutput.CompareFailed;
            return input.Kind == NodeNomadKvOperationKind.CompareAndSet;
        }
    }
}
