namespace NodeNomad.Raft.Simulation.Tests;

public class SimulatedNetworkTests
{
    [Fact]
    public void a_cut_link_blocks_one_direction_only()
    {
        var network = new SimulatedNetwork(new Random(1));

        network.Cut(1, 2);

        network.CanReach(1, 2).ShouldBeFalse();
        network.CanReach(2, 1).ShouldBeTrue();
        network.CanReach(1, 1).ShouldBeTrue();
    }

    [Fact]
    public void a_partition_cuts_both_directions_between_its_sides_only()
    {
        var network = new SimulatedNetwork(new Random(1));

        network.Partition([1, 2], [1, 2, 3, 4, 5]);

        network.CanReach(1, 2).ShouldBeTrue();
        network.CanReach(3, 5).ShouldBeTrue();
        network.CanReach(1, 3).ShouldBeFalse();
        network.CanReach(4, 2).ShouldBeFalse();
    }

    [Fact]
    public void healing_restores_every_link()
    {
        var network = new SimulatedNetwork(new Random(1));
        network.Partition([1], [1, 2, 3]);
        network.Cut(2, 3);

        network.HealAll();

        network.CutLinks.ShouldBe(0);
        network.CanReach(1, 2).ShouldBeTrue();
    }

    [Fact]
    public void drops_duplicates_and_delays_come_from_the_seed()
    {
        static List<long> Choices(int seed)
        {
            var network = new SimulatedNetwork(new Random(seed)) { DropRate = 0.3, DuplicateRate = 0.3, MaxDelay = 10, SlowRate = 0.1 };
            return Enumerable.Range(0, 200).SelectMany(_ => new[] { network.Copies(), network.Delay() }).ToList();
        }

        Choices(5).ShouldBe(Choices(5));
        Choices(5).ShouldNotBe(Choices(6));
        Choices(5).Where((_, i) => i % 2 == 0).Distinct().Order().ShouldBe([0L, 1L, 2L]);
        Choices(5).Where((_, i) => i % 2 == 1).ShouldAllBe(delay => delay >= 1 && delay <= 100);
    }

    [Fact]
    public void a_drop_rate_of_one_drops_every_message()
    {
        var network = new SimulatedNetwork(new Random(3)) { DropRate = 1 };

        Enumerable.Range(0, 50).Select(_ => network.Copies()).ShouldAllBe(copies => copies == 0);
    }
}
