using System.Globalization;

namespace NodeNomad.Linearizability;

/// <summary>Why a history file could not be read: the line (counting from 1) and the reason.</summary>
public sealed record HistoryParseError(int Line, string Reason)
{
    /// <summary>"line 12: reason".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"line {Line}: {Reason}");
}
