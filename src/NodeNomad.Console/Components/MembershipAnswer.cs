namespace NodeNomad.Console.Components;

/// <summary>What the cluster answered to a drain, undrain or removal asked for in the console.</summary>
/// <param name="NodeId">The node.</param>
/// <param name="Message">The answer in a sentence: the node's membership now and what happens next, or why nothing was done.</param>
/// <param name="IsRefusal">Whether the cluster refused, or could not be reached.</param>
public sealed record MembershipAnswer(string NodeId, string Message, bool IsRefusal);
