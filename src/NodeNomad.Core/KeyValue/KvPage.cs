namespace NodeNomad.Core.KeyValue;

/// <summary>A page of a key scan.</summary>
/// <param name="Items">Live records in ascending ordinal key order.</param>
/// <param name="NextAfter">The key to scan after for the next page, or null when nothing follows.</param>
public sealed record KvPage(IReadOnlyList<KvRecord> Items, string? NextAfter);
