using System.Globalization;

namespace NodeNomad.Raft.Tests.Harness;

/// <summary>
/// Which seeds a randomized test runs: NODENOMAD_CHAOS_SEED=n replays one seed, NODENOMAD_CHAOS_SEEDS=n runs seeds
/// 1..n (default <paramref name="defaultCount"/>). A failure names its seed, so the replay is one command:
/// <c>NODENOMAD_CHAOS_SEED=17 dotnet test --project tests/NodeNomad.Raft.Tests</c>.
/// </summary>
internal static class ChaosSeeds
{
    public static IEnumerable<int> Get(int defaultCount)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("NODENOMAD_CHAOS_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var one))
        {
            return [one];
        }

        var count = int.TryParse(Environment.GetEnvironmentVariable("NODENOMAD_CHAOS_SEEDS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n
            : defaultCount;
        return Enumerable.Range(1, count);
    }
}
