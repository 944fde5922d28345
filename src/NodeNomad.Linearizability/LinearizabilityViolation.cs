using System.Globalization;
using System.Text;

namespace NodeNomad.Linearizability;

/// <summary>
/// Why a partition is not linearizable, as far as the search can tell: the longest linearization it found
/// for part of the partition, and the operations that could have come next, none of which led anywhere.
/// </summary>
/// <param name="Partition">The partition's name, for example <c>key "4"</c>.</param>
/// <param name="PartitionOperations">How many operations the partition holds.</param>
/// <param name="LongestLinearizablePrefix">
/// The longest sequence of operations the search could linearize, in linearization order, each described with
/// its client and its call and return times.
/// </param>
/// <param name="StateAfterPrefix">The model's state after that sequence.</param>
/// <param name="NextCandidates">
/// Every operation that could have been linearized next (called before the earliest pending return), with
/// why it could not: the model rejects it in that state, or it is accepted but every continuation fails.
/// </param>
public sealed record LinearizabilityViolation(
    string Partition,
    int PartitionOperations,
    IReadOnlyList<string> LongestLinearizablePrefix,
    string StateAfterPrefix,
    IReadOnlyList<string> NextCandidates)
{
    /// <summary>How many operations of the prefix <see cref="Describe"/> lists; earlier ones are counted.</summary>
    public const int PrefixShown = 10;

    /// <summary>A multi-line explanation for people: the partition, the end of the prefix and the candidates.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Failing partition: {Partition} ({Count(PartitionOperations, "operation")}).");
        text.Append(CultureInfo.InvariantCulture, $"The longest linearizable prefix has {Count(LongestLinearizablePrefix.Count, "operation")}");
        var hidden = LongestLinearizablePrefix.Count - PrefixShown;
        text.AppendLine(hidden > 0 ? $"; the last {PrefixShown}:" : ":");
        if (hidden > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  ... {Count(hidden, "earlier operation")}");
        }

        for (var i = Math.Max(0, hidden); i < LongestLinearizablePrefix.Count; i++)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {i + 1}. {LongestLinearizablePrefix[i]}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"State after it: {StateAfterPrefix}");
        text.AppendLine("None of the operations that could come next leads to a linearization:");
        foreach (var candidate in NextCandidates)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  - {candidate}");
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>"1 operation", "2 operations".</summary>
    internal static string Count(int count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? "" : "s")}");
}
