using System.Globalization;

namespace NodeNomad.Linearizability;

/// <summary>Splits a key-value history into one partition per key: operations on different keys never interact.</summary>
internal static class KeyPartitions
{
    /// <summary>One partition per key, in the order keys first appear, named <c>key "k"</c>.</summary>
    public static IReadOnlyList<HistoryPartition<TInput, TOutput>> ByKey<TInput, TOutput>(
        IReadOnlyList<Operation<TInput, TOutput>> history,
        Func<TInput, string> keyOf)
    {
        var byKey = new Dictionary<string, List<Operation<TInput, TOutput>>>(StringComparer.Ordinal);
        var keys = new List<string>();
        foreach (var operation in history)
        {
            var key = keyOf(operation.Input);
            if (!byKey.TryGetValue(key, out var operations))
            {
                byKey[key] = operations = [];
                keys.Add(key);
            }

            operations.Add(operation);
        }

        return [.. keys.Select(key => new HistoryPartition<TInput, TOutput>(Name(key), byKey[key]))];
    }

    private static string Name(string key) => string.Create(CultureInfo.InvariantCulture, $"key {EdnText.Quote(key)}");
}
