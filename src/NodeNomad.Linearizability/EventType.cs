namespace NodeNomad.Linearizability;

/// <summary>Jepsen's event types: a call, and the three ways it can end.</summary>
internal enum EventType
{
    /// <summary>The client called.</summary>
    Invoke,

    /// <summary>The operation happened, with this answer.</summary>
    Ok,

    /// <summary>The operation certainly did not happen.</summary>
    Fail,

    /// <summary>The client does not know whether it happened (timeout, crash); the process is retired.</summary>
    Info,
}
