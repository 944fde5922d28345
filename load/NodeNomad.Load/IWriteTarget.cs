namespace NodeNomad.Load;

/// <summary>A store the write load is run against, and how it counts what it made durable.</summary>
internal interface IWriteTarget
{
    /// <summary>The name printed in the results.</summary>
    string Name { get; }

    /// <summary>Where the store's HTTP API listens.</summary>
    Uri Url { get; }

    /// <summary>Where a write is POSTed.</summary>
    Uri WriteUrl { get; }

    /// <summary>The JSON body that writes <paramref name="value"/> under <paramref name="key"/>.</summary>
    byte[] WriteBody(string key, string value);

    /// <summary>The store's own running totals of writes and fsyncs; deltas over a run give entries per fsync.</summary>
    Task<DurabilityCounters> ReadCountersAsync(HttpClient http, CancellationToken cancellationToken);
}
