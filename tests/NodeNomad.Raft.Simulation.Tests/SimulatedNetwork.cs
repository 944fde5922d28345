namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>
/// Links between replicas: each direction can be cut on its own (so A may reach B while B cannot reach A),
/// and a message on a working link may be dropped, duplicated, or delayed by a random amount (so messages
/// overtake each other). Every choice comes from the simulation's one <see cref="Random"/>.
/// </summary>
internal sealed class SimulatedNetwork(Random random)
{
    private readonly HashSet<(ulong From, ulong To)> _cut = [];

    /// <summary>Chance that a message on a working link is lost.</summary>
    public double DropRate { get; set; }

    /// <summary>Chance that a message on a working link arrives twice.</summary>
    public double DuplicateRate { get; set; }

    /// <summary>Most milliseconds a message usually takes.</summary>
    public int MaxDelay { get; set; } = 10;

    /// <summary>Chance that a message is very slow (up to ten times <see cref="MaxDelay"/>), overtaken by later ones.</summary>
    public double SlowRate { get; set; }

    public int CutLinks => _cut.Count;

    public bool CanReach(ulong from, ulong to) => from == to || !_cut.Contains((from, to));

    public void Cut(ulong from, ulong to)
    {
        if (from != to)
        {
            _cut.Add((from, to));
        }
    }

    /// <summary>Cuts both directions between every replica of <paramref name="side"/> and every other of <paramref name="all"/>.</summary>
    public void Partition(IReadOnlyCollection<ulong> side, IEnumerable<ulong> all)
    {
        foreach (var other in all.Where(id => !side.Contains(id)))
        {
            foreach (var id in side)
            {
                Cut(id, other);
                Cut(other, id);
            }
        }
    }

    public void HealAll() => _cut.Clear();

    /// <summary>How many copies of a message arrive: 0 (dropped), 1, or 2 (duplicated).</summary>
    public int Copies()
    {
        if (random.NextDouble() < DropRate)
        {
            return 0;
        }

        return random.NextDouble() < DuplicateRate ? 2 : 1;
    }

    /// <summary>How long one copy takes, in milliseconds.</summary>
    public long Delay() =>
        random.NextDouble() < SlowRate ? random.Next(MaxDelay, MaxDelay * 10 + 1) : random.Next(1, MaxDelay + 1);

    /// <summary>The cut links, for failure reports.</summary>
    public string Describe() =>
        _cut.Count == 0 ? "no cut links" : string.Join(", ", _cut.OrderBy(link => link.From).ThenBy(link => link.To).Select(link => $"{link.From}->{link.To}"));
}
