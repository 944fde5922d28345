using NodeNomad.Linearizability;

namespace NodeNomad.Simulation;

/// <summary>
/// One sequential client of the simulated cluster: one operation at a time, retried at another node after a
/// certain failure (not the leader, no replica here), given up as unknown after an uncertain one (a timeout, an
/// unavailable answer to a write); every call and answer recorded in virtual time for the linearizability checker.
/// </summary>
public sealed class CoreClient(int id)
{
    private readonly List<Operation<NodeNomadKvInput, NodeNomadKvOutput>> _history = [];

    public int Id { get; } = id;

    public NodeNomadKvInput? Input { get; private set; }

    public long Call { get; private set; }

    /// <summary>Counts attempts across all operations: an answer to any earlier attempt is stale.</summary>
    public int Attempt { get; private set; }

    /// <summary>Attempts of the current operation.</summary>
    public int Tries { get; private set; }

    public bool Waiting { get; private set; }

    public int Completed { get; private set; }

    public int Unknown { get; private set; }

    public IReadOnlyList<Operation<NodeNomadKvInput, NodeNomadKvOutput>> History => _history;

    public void Begin(NodeNomadKvInput input, long now)
    {
        Input = input;
        Call = now;
        Tries = 0;
    }

    public int NextAttempt()
    {
        Waiting = true;
        Tries++;
        return ++Attempt;
    }

    public bool Awaits(int attempt) => Waiting && Attempt == attempt && Input is not null;

    public void Answered() => Waiting = false;

    public void Complete(NodeNomadKvOutput output, long now)
    {
        _history.Add(new Operation<NodeNomadKvInput, NodeNomadKvOutput>(Id, Input!, Call, output, now));
        Completed++;
        End();
    }

    /// <summary>Every attempt certainly failed: the operation never happened.</summary>
    public void Abandon() => End();

    /// <summary>The operation may or may not have taken effect.</summary>
    public void GiveUp()
    {
        _history.Add(new Operation<NodeNomadKvInput, NodeNomadKvOutput>(Id, Input!, Call));
        Unknown++;
        End();
    }

    private void End()
    {
        Input = null;
        Waiting = false;
    }
}
