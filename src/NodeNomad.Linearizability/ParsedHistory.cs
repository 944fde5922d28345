using System.Diagnostics.CodeAnalysis;

namespace NodeNomad.Linearizability;

/// <summary>A history read from text, or why it could not be read.</summary>
public sealed record ParsedHistory<TInput, TOutput>
{
    internal ParsedHistory(IReadOnlyList<Operation<TInput, TOutput>> operations, bool timesAreLineNumbers)
    {
        Operations = operations;
        TimesAreLineNumbers = timesAreLineNumbers;
    }

    internal ParsedHistory(HistoryParseError error)
    {
        Operations = [];
        Error = error;
    }

    /// <summary>The operations; empty when <see cref="Error"/> is set.</summary>
    public IReadOnlyList<Operation<TInput, TOutput>> Operations { get; }

    /// <summary>True when the operations' call and return times are the line numbers of their events.</summary>
    public bool TimesAreLineNumbers { get; }

    /// <summary>Why the text could not be read; null when it could.</summary>
    public HistoryParseError? Error { get; }

    /// <summary>True when the text was read; <see cref="Error"/> is null then.</summary>
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Error is null;
}
