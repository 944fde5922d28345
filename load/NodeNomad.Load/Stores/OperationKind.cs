namespace NodeNomad.Load.Stores;

/// <summary>The operations a scenario mixes.</summary>
internal enum OperationKind
{
    /// <summary>A linearizable read (NodeNomad: ReadIndex; etcd: its default range).</summary>
    Read,

    /// <summary>A read of whatever the answering replica has applied (etcd: a serializable range).</summary>
    StaleRead,

    Write,

    /// <summary>Compare-and-set on the version last seen for the key.</summary>
    CompareAndSet,

    Delete,

    /// <summary>A page of keys under a prefix.</summary>
    Scan,
}
