namespace NodeNomad.Client;

/// <summary>One check of a node's health report.</summary>
/// <param name="Name">The check's name.</param>
/// <param name="Status">The check's outcome.</param>
/// <param name="Description">What the check saw, when it says.</param>
public sealed record NodeHealthCheck(string Name, NodeHealthStatus Status, string? Description);
