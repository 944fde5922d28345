using NodeNomad.Core.Cluster;

namespace NodeNomad.Core.Tests.Cluster;

public sealed class ClusterMemberTests
{
    [Fact]
    public void the_id_equals_host_port_form_names_each_member()
    {
        var (members, problem) = ClusterMember.ParseList("node-1=127.0.0.1:4001, node-2=10.0.0.2:4002");
        problem.ShouldBeNull();
        members.Select(m => (m.NodeId, m.PeerHost, m.PeerPort)).ShouldBe([("node-1", "127.0.0.1", 4001), ("node-2", "10.0.0.2", 4002)]);
        members[0].PeerUri.ShouldBe(new Uri("http://127.0.0.1:4001"));
    }

    [Fact]
    public void the_original_host_port_form_uses_the_host_as_the_id()
    {
        var (members, problem) = ClusterMember.ParseList("alpha:4001,beta:4002");
        problem.ShouldBeNull();
        members.Select(m => m.NodeId).ShouldBe(["alpha", "beta"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("node-1")]
    [InlineData("node-1=host:notaport")]
    [InlineData("node-1=host:70000")]
    [InlineData("=host:4001")]
    [InlineData("a=h:1,a=h:2")]
    public void a_malformed_list_is_refused_with_a_reason(string text) =>
        ClusterMember.ParseList(text).Problem.ShouldNotBeNull();

    [Fact]
    public void replica_ids_are_stable_distinct_and_never_zero()
    {
        var ids = Enumerable.Range(1, 1000).Select(i => ReplicaIds.For($"node-{i}")).ToList();
        ids.ShouldAllBe(id => id != 0);
        ids.Distinct().Count().ShouldBe(1000);
        ReplicaIds.For("node-1").ShouldBe(ReplicaIds.For("node-1"));
    }
}
