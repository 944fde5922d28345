using NodeNomad.Load.Faults;

namespace NodeNomad.Load.Comparison;

/// <summary>One round of the comparison's chaos part: a kind of fault done once to a fresh 3-node cluster under load.</summary>
/// <param name="Key">The round's name in file names and tables, e.g. <c>sigkill</c>.</param>
/// <param name="Kind">The kind of fault, for people.</param>
/// <param name="Fault">What is done.</param>
/// <param name="NeedsRoot">Whether the fault needs this program run as root (a Unix user per node, iptables).</param>
internal sealed record ChaosRound(string Key, string Kind, IFault Fault, bool NeedsRoot);
