namespace NodeNomad.Contracts.Fleet;

/// <summary>Something that happened in the cluster, pushed as it happens (hub method <see cref="FleetProtocol.ReportEvent"/>).</summary>
/// <param name="Kind">One of <see cref="FleetEventKinds"/>.</param>
/// <param name="NodeId">The node that reports it (or <c>console</c> for what the console noticed itself).</param>
/// <param name="Subject">The node the event is about (the new leader, the node that joined or is unreachable).</param>
/// <param name="Message">A sentence for people.</param>
/// <param name="At">When it happened.</param>
/// <param name="ShardId">The shard concerned, if any.</param>
public sealed record FleetEvent(string Kind, string NodeId, string Subject, string Message, DateTimeOffset At, int? ShardId = null);
