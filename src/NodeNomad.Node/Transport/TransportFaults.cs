using System.Diagnostics;
using System.Globalization;

namespace NodeNomad.Node.Transport;

/// <summary>
/// A test-only switch that makes the peer transport delay or drop outgoing Raft messages, for the load program's
/// chaos runs. Off unless <c>NODENOMAD_TEST_FAULTS</c> names a file; the file holds <c>delay-ms=N loss=P</c> (either
/// part optional, P from 0 to 1), is re-read at most every 200 ms, and an absent or empty file means no fault. A
/// dropped message is reported lost as any other; Raft retransmits what matters.
/// </summary>
/// <param name="path">The switch's file.</param>
/// <param name="random">Draws which messages are dropped; a seeded one replays a test's drops, a new one otherwise.</param>
internal sealed class TransportFaults(string path, Random? random = null)
{
    /// <summary>The environment variable that names the switch's file.</summary>
    public const string Variable = "NODENOMAD_TEST_FAULTS";

    private static readonly TimeSpan ReadEvery = TimeSpan.FromMilliseconds(200);

    private readonly Lock _gate = new();
    private readonly Random _random = random ?? new Random();
    private long _nextRead;
    private Fault? _current;

    /// <summary>The switch when <see cref="Variable"/> is set, null otherwise (the usual case: no cost at all).</summary>
    public static TransportFaults? FromEnvironment() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } path ? new TransportFaults(path) : null;

    /// <summary>The fault in force now, or null.</summary>
    public Fault? Current
    {
        get
        {
            lock (_gate)
            {
                var now = Stopwatch.GetTimestamp();
                if (now >= _nextRead)
                {
                    _nextRead = now + (long)(ReadEvery.TotalSeconds * Stopwatch.Frequency);
                    _current = Read();
                }

                return _current;
            }
        }
    }

    /// <summary>Whether the message being sent now is dropped under <paramref name="fault"/>: true with probability <see cref="Fault.Loss"/>.</summary>
    public bool Drops(Fault fault)
    {
        if (fault.Loss <= 0)
        {
            return false;
        }

        lock (_gate)
        {
            // Test-only randomness: the drop choice needs no cryptographic quality.
#pragma warning disable CA5394
            return _random.NextDouble() < fault.Loss;
#pragma warning restore CA5394
        }
    }

    /// <summary>Parses <c>delay-ms=N loss=P</c>; null for nothing in force.</summary>
    public static Fault? Parse(string text)
    {
        var delay = TimeSpan.Zero;
        var loss = 0.0;
        foreach (var part in text.Split(' ', '\n', '\t', '\r').Where(p => p.Length > 0))
        {
            var pieces = part.Split('=');
            var (name, value) = (pieces[0], pieces.Length > 1 ? pieces[1] : "");
            if (name == "delay-ms" && int.TryParse(value, CultureInfo.InvariantCulture, out var ms) && ms > 0)
            {
                delay = TimeSpan.FromMilliseconds(ms);
            }
            else if (name == "loss" && double.TryParse(value, CultureInfo.InvariantCulture, out var p) && p > 0)
            {
                loss = Math.Min(1, p);
            }
        }

        return delay == TimeSpan.Zero && loss == 0 ? null : new Fault(delay, loss);
    }

    private Fault? Read()
    {
        try
        {
            return File.Exists(path) ? Parse(File.ReadAllText(path)) : null;
        }
        catch (IOException)
        {
            return _current;
        }
    }

    /// <summary>What is done to each outgoing message: held for <paramref name="Delay"/>, dropped with probability <paramref name="Loss"/>.</summary>
    internal sealed record Fault(TimeSpan Delay, double Loss);
}
