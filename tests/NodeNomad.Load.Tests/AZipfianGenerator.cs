using System.Globalization;
using NodeNomad.Load.Scenarios;

namespace NodeNomad.Load.Tests;

/// <summary>The seed is printed; set NODENOMAD_SEED to replay it.</summary>
public sealed class AZipfianGenerator(ITestOutputHelper output)
{
    private const long Keys = 10_000;
    private const int Draws = 200_000;

    [Fact]
    public void the_same_seed_draws_the_same_keys()
    {
        var seed = Seed();
        var first = new ZipfianGenerator(Keys, seed);
        var second = new ZipfianGenerator(Keys, seed);

        Enumerable.Range(0, 1000).Select(_ => first.Next()).ShouldBe(Enumerable.Range(0, 1000).Select(_ => second.Next()));
    }

    [Fact]
    public void hot_ranks_are_drawn_as_often_as_the_distribution_says()
    {
        var seed = Seed();
        var generator = new ZipfianGenerator(Keys, seed);
        var counts = new int[Keys];
        for (var i = 0; i < Draws; i++)
        {
            var rank = generator.Next();
            rank.ShouldBeInRange(0, Keys - 1);
            counts[rank]++;
        }

        // Rank 0 takes about 1/ζ(n) of the draws (about 10% at θ 0.99 over 10,000 keys); 5% of the tolerance is sampling noise.
        ((double)counts[0] / Draws).ShouldBe(generator.Probability(0), tolerance: generator.Probability(0) * 0.05);
        ((double)counts[1] / Draws).ShouldBe(generator.Probability(1), tolerance: generator.Probability(1) * 0.1);
        // The top 1% of keys take over half the draws; a uniform draw would give them 1%.
        counts.Take((int)(Keys / 100)).Sum().ShouldBeGreaterThan(Draws / 2);
    }

    private int Seed()
    {
        var seed = Environment.GetEnvironmentVariable("NODENOMAD_SEED") is { Length: > 0 } fixedSeed
            ? int.Parse(fixedSeed, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        output.WriteLine($"seed {seed}; replay with: NODENOMAD_SEED={seed} dotnet test --project tests/NodeNomad.Load.Tests --filter-class {typeof(AZipfianGenerator).FullName}");
        return seed;
    }
}
