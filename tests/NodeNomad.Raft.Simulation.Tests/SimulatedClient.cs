using NodeNomad.Linearizability;

namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>
/// One sequential client: runs one operation at a time against whichever replica it thinks leads, and
/// records each operation's call and answer in virtual time for the linearizability checker.
/// </summary>
internal sealed class SimulatedClient(int id, ulong firstGuess)
{
    private readonly List<Operation<NodeNomadKvInput, NodeNomadKvOutput>> _history = [];

    public int Id { get; } = id;

    /// <summary>Where the next attempt goes.</summary>
    public ulong LeaderGuess { get; set; } = firstGuess;

    /// <summary>The operation in progress, or null when idle.</summary>
    public NodeNomadKvInput? Input { get; private set; }

    public long Call { get; private set; }

    /// <summary>Counts this client's attempts across all its operations; answers to any earlier attempt are stale.</summary>
    public int Attempt { get; private set; }

    /// <summary>The command of the current write attempt (a fresh id per attempt).</summary>
    public KvCommand? Command { get; set; }

    /// <summary>The last value this client saw for each key, for the compare-and-sets it makes up.</summary>
    public Dictionary<string, string?> Seen { get; } = new(StringComparer.Ordinal);

    public int Writes { get; set; }

    public int Completed { get; private set; }

    public int Unknown { get; private set; }

    public bool Busy => Input is not null;

    public IReadOnlyList<Operation<NodeNomadKvInput, NodeNomadKvOutput>> History => _history;

    public void Begin(NodeNomadKvInput input, long now)
    {
        Input = input;
        Call = now;
    }

    /// <summary>Whether the current attempt still waits for an answer (a timeout or a late answer finds it closed).</summary>
    public bool Waiting { get; private set; }

    public int NextAttempt()
    {
        Waiting = true;
        return ++Attempt;
    }

    /// <summary>Whether an answer or timeout concerns the attempt still open.</summary>
    public bool Awaits(int attempt) => Waiting && Attempt == attempt && Input is not null;

    public void Answered() => Waiting = false;

    public void Complete(NodeNomadKvOutput output, long now)
    {
        var input = Input ?? throw new InvalidOperationException("No operation in progress.");
        _history.Add(new Operation<NodeNomadKvInput, NodeNomadKvOutput>(Id, input, Call, output, now));
        if (input.Kind == NodeNomadKvOperationKind.Get)
        {
            Seen[input.Key] = output.Value;
        }
        else if (output.Succeeded)
        {
            Seen[input.Key] = input.Value;
        }

        Completed++;
        End();
    }

    /// <summary>Drops the current operation from the history: every attempt certainly failed, so it never happened.</summary>
    public void Abandon()
    {
        End();
    }

    /// <summary>Gives up on the current operation: it may or may not have taken effect.</summary>
    public void GiveUp()
    {
        var input = Input ?? throw new InvalidOperationException("No operation in progress.");
        _history.Add(new Operation<NodeNomadKvInput, NodeNomadKvOutput>(Id, input, Call));
        Unknown++;
        End();
    }

    private void End()
    {
        Input = null;
        Command = null;
        Waiting = false;
    }
}
