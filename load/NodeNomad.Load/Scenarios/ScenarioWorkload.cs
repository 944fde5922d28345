using System.Globalization;
using NodeNomad.Load.Stores;

namespace NodeNomad.Load.Scenarios;

/// <summary>
/// The operations of a scenario against a store: each sender draws the next operation and key from its own seeded
/// random source (and Zipfian generator), so a run's choices follow from its seed. Keys are
/// <c>{prefix}/k000123</c>; a scan lists the 100 keys sharing all but the last two digits of a drawn key. With
/// <see cref="KeyDistribution.Fresh"/> the senders share one counter instead, so no two operations name the same key.
/// </summary>
internal sealed class ScenarioWorkload
{
    private const int ScanLimit = 20;

    private readonly Scenario scenario;
    private readonly IKeyValueStore store;
    private readonly string prefix;
    private readonly string value;
    private readonly Sender[] senders;
    private long lastFresh;

    public ScenarioWorkload(Scenario scenario, IKeyValueStore store, int seed, string prefix)
    {
        this.scenario = scenario;
        this.store = store;
        this.prefix = prefix;
        lastFresh = scenario.PreloadedKeys - 1;
        value = new string('v', scenario.ValueBytes);
        senders = [.. Enumerable.Range(0, Math.Max(scenario.Workers, PreloadSenders)).Select(i => new Sender(scenario, seed, i))];
        History = scenario.Chaos ? new ClientHistory(senders.Length) : null;
    }

    /// <summary>For a chaos scenario, every operation of the load as the linearizability checker takes it; null otherwise.</summary>
    public ClientHistory? History { get; }

    /// <summary>Senders of the preload, which writes the first keys before the load.</summary>
    public const int PreloadSenders = 16;

    public AcknowledgedWrites Writes { get; } = new();

    public string Key(long index) => string.Create(CultureInfo.InvariantCulture, $"{prefix}/k{index:D6}");

    /// <summary>Writes key <paramref name="index"/> (without TTL, whatever the scenario), as the preload does.</summary>
    public async Task<OperationResult> PreloadAsync(long index, CancellationToken cancellationToken)
    {
        var key = Key(index);
        var result = await store.WriteAsync(key, value, null, cancellationToken);
        if (result.Outcome == Outcome.Ok)
        {
            Writes.Acknowledged(key, result.Version, expires: false);
        }

        return result;
    }

    /// <summary>The next operation of sender <paramref name="worker"/>: drawn, sent, and its answer noted.</summary>
    public async Task<(OperationKind Kind, OperationResult Result)> NextAsync(int worker, CancellationToken cancellationToken)
    {
        var sender = senders[worker];
        var kind = scenario.Mix.Pick(sender.Random.Next(scenario.Mix.Total));
        if (!store.Supports(kind))
        {
            return (kind, OperationResult.NotSupported);
        }

        var key = Key(scenario.Distribution == KeyDistribution.Fresh ? Interlocked.Increment(ref lastFresh) : sender.NextKey());
        if (History is not null)
        {
            return (kind, await RecordedAsync(worker, kind, key, cancellationToken));
        }

        switch (kind)
        {
            case OperationKind.Read or OperationKind.StaleRead:
            {
                var result = await store.ReadAsync(key, linearizable: kind == OperationKind.Read, cancellationToken);
                if (result.Outcome is Outcome.Ok)
                {
                    Writes.Seen(key, result.Version);
                }

                return (kind, result);
            }

            case OperationKind.Write:
            {
                var result = await store.WriteAsync(key, value, scenario.TtlSeconds, cancellationToken);
                if (result.Outcome == Outcome.Ok)
                {
                    Writes.Acknowledged(key, result.Version, expires: scenario.TtlSeconds is not null);
                }

                return (kind, result);
            }

            case OperationKind.CompareAndSet:
            {
                var result = await store.CompareAndSetAsync(key, Writes.Expected(key), value, cancellationToken);
                if (result.Outcome == Outcome.Ok)
                {
                    Writes.Acknowledged(key, result.Version, expires: false);
                }
                else if (result.Outcome == Outcome.Conflict)
                {
                    Writes.Seen(key, result.Version);
                }

                return (kind, result);
            }

            case OperationKind.Delete:
                Writes.DeleteSent(key);
                return (kind, await store.DeleteAsync(key, cancellationToken));
            default:
                return (kind, await store.ScanAsync(key[..^2], ScanLimit, cancellationToken));
        }
    }

    /// <summary>A chaos run's operation: linearizable reads, writes of unique values and deletes, each noted in <see cref="History"/>.</summary>
    private async Task<OperationResult> RecordedAsync(int worker, OperationKind kind, string key, CancellationToken cancellationToken)
    {
        var call = ClientHistory.Now();
        switch (kind)
        {
            case OperationKind.Write:
            {
                var unique = History!.UniqueValue(worker);
                var result = await store.WriteAsync(key, unique, null, cancellationToken);
                History.Add(worker, Linearizability.NodeNomadKvInput.Put(key, unique), call, result);
                if (result.Outcome == Outcome.Ok)
                {
                    Writes.Acknowledged(key, result.Version, expires: false);
                }

                return result;
            }

            case OperationKind.Delete:
            {
                Writes.DeleteSent(key);
                var result = await store.DeleteAsync(key, cancellationToken);
                History!.Add(worker, Linearizability.NodeNomadKvInput.Delete(key), call, result);
                return result;
            }

            default:
            {
                var result = await store.ReadAsync(key, linearizable: true, cancellationToken);
                History!.Add(worker, Linearizability.NodeNomadKvInput.Get(key), call, result);
                if (result.Outcome is Outcome.Ok)
                {
                    Writes.Seen(key, result.Version);
                }

                return result;
            }
        }
    }

    private sealed class Sender
    {
        private readonly ZipfianGenerator? zipfian;
        private readonly int keys;

        public Sender(Scenario scenario, int seed, int index)
        {
            // Derived arithmetically, not with HashCode (which is salted per process), so a seed replays.
            Random = new Random(unchecked((seed * 1_000_003) + (index * 7919)));
            keys = scenario.Keys;
            zipfian = scenario.Distribution == KeyDistribution.Zipfian ? new ZipfianGenerator(scenario.Keys, unchecked((seed * 1_000_003) + (index * 7919) + 1)) : null;
        }

        public Random Random { get; }

        public long NextKey() => zipfian?.Next() ?? Random.Next(keys);
    }
}
