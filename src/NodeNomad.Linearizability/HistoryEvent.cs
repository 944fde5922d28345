namespace NodeNomad.Linearizability;

/// <summary>One line of a Jepsen-style history, before calls are paired with their completions.</summary>
/// <param name="Line">The line number, counting from 1.</param>
/// <param name="Process">The client.</param>
/// <param name="Type">Invoke, ok, fail or info.</param>
/// <param name="Function">Jepsen's <c>:f</c>, without the colon: get, put, read, cas...</param>
/// <param name="Key">The <c>:key</c>, or null when the format has none.</param>
/// <param name="Value">The <c>:value</c>, as <see cref="EdnReader"/> reads it.</param>
/// <param name="Time">When it happened: the line number, or the event's own <c>:time</c>.</param>
internal sealed record HistoryEvent(int Line, int Process, EventType Type, string Function, object? Key, object? Value, long Time);
