namespace NodeNomad.Linearizability;

/// <summary>A part of a history that is checked on its own, such as the operations on one key.</summary>
/// <param name="Name">Names the partition in messages, for example <c>key "4"</c>.</param>
/// <param name="Operations">The partition's operations.</param>
public sealed record HistoryPartition<TInput, TOutput>(string Name, IReadOnlyList<Operation<TInput, TOutput>> Operations);
