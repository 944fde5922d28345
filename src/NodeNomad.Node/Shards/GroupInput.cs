using NodeNomad.Raft;

namespace NodeNomad.Node.Shards;

/// <summary>Work for a replica host's loop; most of it is for one group.</summary>
internal abstract record HostInput;

/// <summary>A heartbeat tick: every group ticks.</summary>
internal sealed record TickInput : HostInput
{
    public static readonly TickInput Instance = new();
}

/// <summary>A message for a group this node may not host yet.</summary>
internal sealed record InboundInput(ulong GroupId, Message Message) : HostInput;

/// <summary>Transport feedback for a group.</summary>
internal sealed record FeedbackInput(ulong GroupId, ulong ReplicaId, bool? SnapshotSucceeded) : HostInput;

/// <summary>Run an action on the loop (group creation and other changes to what the node hosts).</summary>
internal sealed record LoopAction(Action Run) : HostInput;

/// <summary>Work for one group.</summary>
internal abstract record GroupInput(GroupReplica Group) : HostInput;

internal sealed record MessageInput(GroupReplica Group, Message Message) : GroupInput(Group);

internal sealed record UnreachableInput(GroupReplica Group, ulong ReplicaId) : GroupInput(Group);

internal sealed record SnapshotStatusInput(GroupReplica Group, ulong ReplicaId, bool Succeeded) : GroupInput(Group);

internal sealed record ProposalInput(GroupReplica Group, Func<long, byte[]>? Encode, ConfChange? Change) : GroupInput(Group)
{
    public TaskCompletionSource<object?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

internal sealed record ReadInput(GroupReplica Group) : GroupInput(Group)
{
    public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
