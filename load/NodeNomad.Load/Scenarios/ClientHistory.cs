using System.Diagnostics;
using NodeNomad.Linearizability;
using NodeNomad.Load.Stores;

namespace NodeNomad.Load.Scenarios;

/// <summary>
/// The operations a chaos run's senders did, as the linearizability checker takes them: gets with the value read,
/// puts of values unique in the run, deletes. A write without a definite answer (a timeout, a 503, a broken
/// connection) is kept open, as it may take effect at any time later or never; its sender then goes on as a new
/// client, since a client runs one operation at a time. A read without an answer is left out.
/// </summary>
internal sealed class ClientHistory
{
    private readonly List<Operation<NodeNomadKvInput, NodeNomadKvOutput>> operations = [];
    private readonly int[] clientOf;
    private int nextClient;
    private long nextValue;

    public ClientHistory(int senders)
    {
        clientOf = [.. Enumerable.Range(0, senders)];
        nextClient = senders;
    }

    public IReadOnlyList<Operation<NodeNomadKvInput, NodeNomadKvOutput>> Operations
    {
        get
        {
            lock (operations)
            {
                return [.. operations];
            }
        }
    }

    /// <summary>A value no other write of the run writes, so that a read names the one write it saw.</summary>
    public string UniqueValue(int sender) => FormattableString.Invariant($"s{sender}-{Interlocked.Increment(ref nextValue)}");

    public static long Now() => Stopwatch.GetTimestamp();

    /// <summary>Notes what <paramref name="sender"/> asked at <paramref name="call"/> and got.</summary>
    public void Add(int sender, NodeNomadKvInput input, long call, OperationResult result)
    {
        var returned = Now();
        Operation<NodeNomadKvInput, NodeNomadKvOutput> operation;
        if (result.IsError && input.Kind == NodeNomadKvOperationKind.Get)
        {
            // A read changes nothing, so one without an answer constrains nothing: left out, it spares the checker
            // an open operation (those are what make its search long).
            return;
        }

        if (result.IsError)
        {
            operation = new Operation<NodeNomadKvInput, NodeNomadKvOutput>(clientOf[sender], input, call);
            clientOf[sender] = Interlocked.Increment(ref nextClient);
        }
        else
        {
            var output = input.Kind switch
            {
                NodeNomadKvOperationKind.Get => NodeNomadKvOutput.Read(result.Outcome == Outcome.NotFound ? null : result.Value),
                NodeNomadKvOperationKind.CompareAndSet when result.Outcome == Outcome.Conflict => NodeNomadKvOutput.CompareFailed,
                _ => NodeNomadKvOutput.Ok,
            };
            operation = new Operation<NodeNomadKvInput, NodeNomadKvOutput>(clientOf[sender], input, call, output, returned);
        }

        lock (operations)
        {
            operations.Add(operation);
        }
    }

    /// <summary>Judges the history; a history the checker cannot finish within <paramref name="limit"/> has no verdict.</summary>
    public CheckResult Check(TimeSpan limit)
    {
        // A source made with its delay is cancelled at once for a zero limit, where CancelAfter would race the search.
        using var stop = new CancellationTokenSource(limit);
        return LinearizabilityChecker.Check(new NodeNomadKvModel(), Operations, cancellationToken: stop.Token);
    }
}
