using NodeNomad.Core.Cluster;
using Shouldly;

namespace NodeNomad.Node.Tests.Runtime;

/// <summary>
/// A leader's status names the members whose log holds everything committed: the meta leader promotes a learner
/// to a voter only once it is among them, so a lagging voter never counts towards quorums it cannot yet help form.
/// </summary>
public class CaughtUpTests
{
    [Fact]
    public void a_member_that_missed_committed_entries_is_not_caught_up_until_it_has_them()
    {
        var cluster = new CoreHarness(0, "a", "b", "c");
        cluster.Settle();
        cluster.Tick(5);
        var leader = cluster.Members.Values.First(m => m.Core!.Meta.IsLeader);
        var lagging = cluster.Members.Keys.First(id => id != leader.Id);
        leader.Core!.Meta.Status.CaughtUp.ShouldContain(lagging);

        leader.Core.Propose(cluster.NextTicket(), 0, MetaStateMachine.Encode(new RegisterNode(new NodeRecord("d", "d:1", "", 1, NodeRecord.Active))));
        cluster.Turn(leader.Id);
        cluster.Deliver(w => w.To != lagging && w.From != lagging);
        leader.Core.Map.Node("d").ShouldNotBeNull("the entry committed without the lagging member");
        leader.Core.Meta.Status.CaughtUp.ShouldNotContain(lagging);

        cluster.Tick(3);
        leader.Core.Meta.Status.CaughtUp.ShouldContain(lagging);
    }
}
