using System.Globalization;

namespace NodeNomad.Linearizability;

/// <summary>How one history format turns events into a model's inputs and outputs.</summary>
internal abstract class HistoryDialect<TInput, TOutput>
{
    /// <summary>The input an invocation asks for; returns why the event cannot be understood, or null.</summary>
    public abstract string? TryInput(HistoryEvent invoke, out TInput input);

    /// <summary>The output of an <c>:ok</c> completion; returns why it cannot be understood, or null.</summary>
    public abstract string? TryOutput(HistoryEvent ok, TInput input, out TOutput output);

    /// <summary>
    /// What a <c>:fail</c> completion observed. Usually nothing (false): the operation did not happen and is
    /// dropped from the history. A format may say otherwise, such as a compare-and-set that found another value.
    /// </summary>
    public virtual bool FailIsObserved(TInput input, out TOutput output)
    {
        output = default!;
        return false;
    }

    /// <summary>Reads a <c>:key</c>: a string, or an integer taken as its decimal text.</summary>
    protected static string? TryKey(HistoryEvent e, out string key)
    {
        (key, var problem) = e.Key switch
        {
            string text => (text, null),
            long number => (number.ToString(CultureInfo.InvariantCulture), null),
            _ => ("", $"expected a string :key, found {EdnReader.Describe(e.Key)}"),
        };
        return problem;
    }

    /// <summary>Reads a string <c>:value</c>; <paramref name="purpose"/> names it in the message.</summary>
    protected static string? TryString(object? value, string purpose, out string text)
    {
        text = value as string ?? "";
        return value is string ? null : $"expected a string {purpose}, found {EdnReader.Describe(value)}";
    }
}
