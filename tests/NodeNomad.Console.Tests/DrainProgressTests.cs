using NodeNomad.Console.Fleet;
using NodeNomad.Contracts;

namespace NodeNomad.Console.Tests;

public sealed class DrainProgressTests
{
    [Fact]
    public void a_draining_nodes_progress_counts_from_the_most_it_was_seen_to_hold()
    {
        var fleet = new FleetState(new ManualClock());
        var member = Fleets.Member("node-2") with { Replicas = [0, 1, 2], Leaderships = [1], Membership = NodeMemberships.Draining };

        fleet.ApplyMembership([member]);
        fleet.ApplyMembership([member with { Leaderships = [] }]);
        fleet.ApplyMembership([member with { Replicas = [2], Leaderships = [] }]);

        fleet.Current.Node("node-2")!.DrainProgress.ShouldBe(new DrainProgress(4, 1));
        fleet.Current.Node("node-2")!.DrainProgress!.Percent.ShouldBe(75);
    }

    [Fact]
    public void a_node_that_is_not_draining_has_no_progress_and_a_later_drain_counts_afresh()
    {
        var fleet = new FleetState(new ManualClock());
        var member = Fleets.Member("node-2") with { Replicas = [0, 1], Leaderships = [], Membership = NodeMemberships.Draining };
        fleet.ApplyMembership([member]);

        fleet.ApplyMembership([member with { Membership = NodeMemberships.Active }]);
        fleet.Current.Node("node-2")!.DrainProgress.ShouldBeNull();

        fleet.ApplyMembership([member with { Replicas = [0] }]);
        fleet.Current.Node("node-2")!.DrainProgress.ShouldBe(new DrainProgress(1, 1));
    }

    [Fact]
    public void the_membership_and_the_clusters_words_on_a_drain_reach_the_nodes_view()
    {
        var fleet = new FleetState(new ManualClock());

        fleet.ApplyMembership([Fleets.Member("node-2") with { Membership = NodeMemberships.Draining, Drain = "1 replica(s) and 0 leadership(s) left" }]);

        var node = fleet.Current.Node("node-2")!;
        (node.Membership, node.Drain).ShouldBe((NodeMemberships.Draining, "1 replica(s) and 0 leadership(s) left"));
    }

    [Fact]
    public void a_node_the_membership_has_not_listed_yet_is_taken_as_active()
    {
        var clock = new ManualClock();
        var fleet = new FleetState(clock);

        fleet.ReportStatus(Fleets.Report("node-5", clock.GetUtcNow()));

        fleet.Current.Node("node-5")!.Membership.ShouldBe(NodeMemberships.Active);
    }

    [Fact]
    public void a_node_that_held_nothing_is_all_the_way_there() => new DrainProgress(0, 0).Percent.ShouldBe(100);
}
