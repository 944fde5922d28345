namespace NodeNomad.Simulation;

/// <summary>
/// The discrete-event loop's agenda: actions due at virtual times (milliseconds). Ties run in the order they
/// were scheduled, so a run depends on nothing but its seed.
/// </summary>
public sealed class EventAgenda
{
    private readonly PriorityQueue<Action, (long Time, long Sequence)> _due = new();
    private long _sequence;

    /// <summary>The virtual time of the action running now.</summary>
    public long Now { get; private set; }

    public int Count => _due.Count;

    public long Processed { get; private set; }

    public void At(long time, Action action)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(time, Now);
        _due.Enqueue(action, (time, _sequence++));
    }

    public void After(long delay, Action action) => At(Now + delay, action);

    /// <summary>Runs the next action due, unless it is due after <paramref name="until"/>.</summary>
    public bool RunNext(long until)
    {
        if (!_due.TryPeek(out _, out var when) || when.Time > until)
        {
            return false;
        }

        var action = _due.Dequeue();
        Now = when.Time;
        Processed++;
        action();
        return true;
    }
}
