using NodeNomad.Contracts;
using NodeNomad.Storage;

namespace NodeNomad.Node.Telemetry;

/// <summary>The figures a node gives of itself in <c>cluster/metrics</c> and to its peers, rounded as the API answers them.</summary>
public static class NodeFigures
{
    /// <summary>
    /// A measured rate or duration rounded to two decimals: the windows they come from are a few seconds long, so
    /// more digits are noise.
    /// </summary>
    public static double Round(double value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);

    /// <summary>This node's figures.</summary>
    public static NodeMetricsInfo Of(string nodeId, NodeMetrics metrics, LogStatistics log)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(log);
        return new NodeMetricsInfo(nodeId, NodeStates.Up, metrics.TotalReads, metrics.TotalWrites, Round(metrics.Reads.PerSecond()),
            Round(metrics.Writes.PerSecond()), Round(metrics.WriteLatency.Quantile(0.99)), log.Bytes, log.Segments, metrics.Batches,
            Round(metrics.AverageBatchSize), Round(log.LastSyncMilliseconds), metrics.Snapshots);
    }
}
