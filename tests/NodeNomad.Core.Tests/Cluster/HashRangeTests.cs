using CsCheck;
using NodeNomad.Contracts;
using NodeNomad.Core.Cluster;

namespace NodeNomad.Core.Tests.Cluster;

public sealed class HashRangeTests
{
    // A failure prints the case and a seed; replay it with
    //   CsCheck_Seed=<seed> dotnet test --project tests/NodeNomad.Core.Tests --filter-class "*HashRangeTests"
    private static readonly Gen<int> Counts = Gen.Frequency((1, Gen.Int[1, 16]), (2, Gen.Int[1, 4096]), (1, Gen.Int[4096, 100_000]));

    [Fact]
    public void ranges_are_contiguous_and_cover_the_whole_hash_space() => Counts.Sample(count =>
    {
        var ranges = HashRange.Split(count);
        ranges.Count.ShouldBe(count);
        ranges[0].Start.ShouldBe(0UL);
        ranges[^1].End.ShouldBe(ulong.MaxValue);
        var gap = Enumerable.Range(1, count - 1).FirstOrDefault(i => ranges[i].Start != ranges[i - 1].End + 1);
        gap.ShouldBe(0, $"range {gap} of {count} does not start where range {gap - 1} ends");
    }, iter: 60);

    [Fact]
    public void range_sizes_differ_by_at_most_one_position() => Counts.Sample(count =>
    {
        var sizes = HashRange.Split(count).Select(r => (UInt128)(r.End - r.Start) + 1).ToList();
        (sizes.Max() - sizes.Min()).ShouldBeLessThanOrEqualTo(UInt128.One);
        sizes.Aggregate(UInt128.Zero, (sum, size) => sum + size).ShouldBe((UInt128)ulong.MaxValue + 1);
    }, iter: 60);

    [Fact]
    public void every_key_position_lands_in_exactly_one_range() =>
        Gen.Select(Gen.Int[1, 1024], Gen.String[0, 40]).Sample((count, key) =>
        {
            var position = KeyPosition.Of(key);
            HashRange.Split(count).Count(r => r.Contains(position)).ShouldBe(1);
        }, iter: 300);

    [Fact]
    public void the_ends_of_the_space_land_in_the_first_and_last_ranges()
    {
        var ranges = HashRange.Split(8);
        ranges[0].Contains(0).ShouldBeTrue();
        ranges[7].Contains(ulong.MaxValue).ShouldBeTrue();
        ranges[1].Contains(ranges[0].End).ShouldBeFalse();
    }

    [Fact]
    public void a_count_below_one_is_refused() => Should.Throw<ArgumentOutOfRangeException>(() => HashRange.Split(0));
}
