namespace NodeNomad.Linearizability;

/// <summary>What <see cref="HistoryFile.Check"/> concluded about a file.</summary>
public enum HistoryFileVerdict
{
    /// <summary>The history is linearizable.</summary>
    Linearizable,

    /// <summary>The history is not linearizable.</summary>
    NotLinearizable,

    /// <summary>The search was stopped before it reached a verdict.</summary>
    Timeout,

    /// <summary>The file could not be read, its format was not recognised, or it is malformed.</summary>
    Unreadable,
}
