namespace NodeNomad.Core.Cluster;

/// <summary>One node's load as a decision saw it.</summary>
/// <param name="NodeId">The node.</param>
/// <param name="Load">Its load in the decision's dimension.</param>
/// <param name="Weight">Its weight.</param>
/// <param name="Ratio">Its load per unit of weight over the mean per unit of weight (1: exactly its share).</param>
public sealed record RebalancerFigure(string NodeId, double Load, int Weight, double Ratio);
