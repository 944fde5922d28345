using NodeNomad.Core.Cluster;
using NodeNomad.Node.Runtime;

namespace NodeNomad.Simulation;

/// <summary>
/// One simulated node: the node's very <see cref="NodeCore"/> over a <see cref="SimulatedLog"/>, driven as the
/// node's shell drives it — inputs only between turns (those that arrive while a save is under way wait, as in the
/// shell's channel), one save per turn, sends and answers after it. A crash loses the core and whatever it had not
/// saved; the log stays.
/// </summary>
public sealed class CoreSimNode
{
    private readonly Queue<Action<NodeCore>> _inbox = new();

    public CoreSimNode(int index, Func<long> now, long skew)
    {
        Index = index;
        Id = "n" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Clock = new SimulatedClock(now, skew);
        CommandClock = new CommandClock(Clock);
    }

    public int Index { get; }

    public string Id { get; }

    public ulong ReplicaId => ReplicaIds.For(Id);

    public SimulatedClock Clock { get; }

    /// <summary>The clock this life of the node stamps commands with.</summary>
    public CommandClock CommandClock { get; private set; }

    public SimulatedLog Log { get; } = new();

    public NodeCore? Core { get; private set; }

    public bool IsUp => Core is not null;

    /// <summary>Bumped at every start and crash: events of an earlier life find a different number and do nothing.</summary>
    public int Life { get; private set; }

    /// <summary>The turn whose batch is being saved, if any.</summary>
    public TurnPlan? Saving { get; set; }

    public long PausedUntil { get; set; }

    /// <summary>Until when saves take long (a slow disk).</summary>
    public long SlowDiskUntil { get; set; }

    /// <summary>Whether the next save fails (a failing disk).</summary>
    public bool NextSaveFails { get; set; }

    public bool TurnScheduled { get; set; }

    /// <summary>Starts a new life: a fresh command clock (a restarted process reads the wall clock anew) and the core <paramref name="create"/> makes.</summary>
    public NodeCore Start(Func<CommandClock, NodeCore> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        CommandClock = new CommandClock(Clock);
        Core = create(CommandClock);
        Life++;
        _inbox.Clear();
        Saving = null;
        TurnScheduled = false;
        return Core;
    }

    public void Crash()
    {
        Core = null;
        Life++;
        _inbox.Clear();
        Saving = null;
        TurnScheduled = false;
    }

    public void Enqueue(Action<NodeCore> input) => _inbox.Enqueue(input);

    /// <summary>Feeds the core every waiting input, as the shell does at the start of a turn.</summary>
    public void DrainInputs()
    {
        while (Core is { } core && _inbox.TryDequeue(out var input))
        {
            input(core);
        }
    }
}
