namespace NodeNomad.Load.Stores;

/// <summary>The 3-member etcd of <c>load/etcd-cluster.sh</c> (<see cref="EtcdCluster"/>), loaded on all three members.</summary>
internal sealed class EtcdDeployment : IStoreDeployment
{
    private readonly EtcdCluster cluster;

    private EtcdDeployment(EtcdCluster cluster, HttpClient http)
    {
        this.cluster = cluster;
        Store = new EtcdStore(http, [.. Members.Select(m => m.Url)]);
    }

    public IKeyValueStore Store { get; }

    public string Description => "etcd: 3 members on 127.0.0.1 (load/etcd-cluster.sh), every write fsynced by a majority";

    public IReadOnlyList<(string Id, Uri Url)> Members { get; } =
    [
        ("m1", new Uri("http://127.0.0.1:12379/")),
        ("m2", new Uri("http://127.0.0.1:22379/")),
        ("m3", new Uri("http://127.0.0.1:32379/")),
    ];

    public static async Task<EtcdDeployment> StartAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var cluster = await EtcdCluster.StartAsync(RepositoryLayout.Find().RequireEtcdClusterScript(), cancellationToken);
        return new EtcdDeployment(cluster, http);
    }

    public Task<IReadOnlyList<string>> FindSilentMembersAsync(CancellationToken cancellationToken) =>
        MemberProbe.SilentAsync(Members, "health", cancellationToken);

    public ValueTask DisposeAsync() => cluster.DisposeAsync();
}
