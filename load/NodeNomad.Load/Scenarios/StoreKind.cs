namespace NodeNomad.Load.Scenarios;

/// <summary>Which store a scenario loads.</summary>
internal enum StoreKind
{
    NodeNomad,

    /// <summary>The 3-member etcd 3.4 of <c>load/etcd-cluster.sh</c>, through its JSON gateway.</summary>
    Etcd,
}
