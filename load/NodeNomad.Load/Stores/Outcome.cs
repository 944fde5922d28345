namespace NodeNomad.Load.Stores;

/// <summary>How an operation ended. The first three are answers; the rest are errors, counted by kind.</summary>
internal enum Outcome
{
    Ok,

    /// <summary>The key is absent: an answer, not an error (a read of an expired or deleted key).</summary>
    NotFound,

    /// <summary>A compare-and-set found another version: an answer, not an error.</summary>
    Conflict,

    /// <summary>No answer within the client's timeout.</summary>
    Timeout,

    /// <summary>503: the key's shard had no quorum, or the node could not make the write durable.</summary>
    Unavailable,

    /// <summary>Any other refusal or a broken connection.</summary>
    Other,

    /// <summary>The store has no such operation; nothing was sent.</summary>
    NotSupported,
}
