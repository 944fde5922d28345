namespace NodeNomad.Core.Cluster;

/// <summary>The loads the rebalancer can balance (<see cref="RebalancerSettings.Dimension"/>).</summary>
public static class RebalancerDimensions
{
    /// <summary>Reads and writes per second together.</summary>
    public const string Requests = "requests";

    /// <summary>Reads per second.</summary>
    public const string Reads = "reads";

    /// <summary>Writes per second.</summary>
    public const string Writes = "writes";

    /// <summary>Bytes of keys and values held.</summary>
    public const string Bytes = "bytes";

    /// <summary>Keys held.</summary>
    public const string Keys = "keys";

    /// <summary>Shard leaderships held.</summary>
    public const string Leaderships = "leaderships";

    /// <summary>Every dimension.</summary>
    public static IReadOnlyList<string> All { get; } = [Requests, Reads, Writes, Bytes, Keys, Leaderships];

    /// <summary>How the dimension is said in a sentence ("the mean writes/s").</summary>
    public static string Unit(string dimension) => dimension switch
    {
        Requests => "requests/s",
        Reads => "reads/s",
        Writes => "writes/s",
        _ => dimension,
    };

    /// <summary>
    /// How far above its share a node must be, in the dimension's unit, to count as hot: on a nearly idle cluster the
    /// ratios are noise (a node serving two reads a second is "2×" one serving one), and moving for them is waste.
    /// </summary>
    public static double Floor(string dimension) => dimension switch
    {
        Bytes => 1024 * 1024,
        Keys => 1000,
        Leaderships => 1,
        _ => 5,
    };

    /// <summary>Whether a leadership carries the dimension: the leader serves requests; every replica holds the data.</summary>
    public static bool FollowsLeadership(string dimension) => dimension is Requests or Reads or Writes or Leaderships;
}
