using NodeNomad.Core.Cluster;
using NodeNomad.Raft;
using NodeNomad.Storage;

namespace NodeNomad.Node.Runtime;

/// <summary>A Raft message of group <paramref name="GroupId"/> for the transport.</summary>
public readonly record struct Outbound(ulong GroupId, Message Message);

/// <summary>The end of the proposal or read the caller enqueued as <paramref name="Ticket"/>.</summary>
public readonly record struct Completion(long Ticket, Outcome Outcome);

/// <summary>
/// A snapshot of its own state a group asks the shell to store (under <paramref name="LogKey"/>), dropping the log it
/// covers. The state was fixed when the group asked; <paramref name="WriteState"/> writes it out and may run on another
/// thread while turns go on. The shell then stores the snapshot and answers with <see cref="NodeCore.Compacted"/>.
/// </summary>
/// <param name="GroupId">The group.</param>
/// <param name="LogKey">The group's key in the log.</param>
/// <param name="Metadata">Where the snapshot stands.</param>
/// <param name="WriteState">Writes the snapshot's data to a stream (once).</param>
public sealed record Compaction(ulong GroupId, ulong LogKey, SnapshotMetadata Metadata, Action<Stream> WriteState)
{
    /// <summary>The snapshot with its data written into memory: for the simulation and tests, whose groups are small.</summary>
    public Snapshot InMemory()
    {
        using var bytes = new MemoryStream();
        WriteState(bytes);
        return new Snapshot(Metadata, bytes.ToArray());
    }
}

/// <summary>
/// The first half of a turn: what must be made durable, and the messages that may leave before it is (a leader's
/// appends: Raft thesis §10.2.1). The shell sends <see cref="SendNow"/>, saves <see cref="Save"/> (when not null),
/// and then calls <see cref="NodeCore.Persisted"/> — or <see cref="NodeCore.SaveFailed"/>.
/// </summary>
/// <param name="Save">One batch for every group's entries, hard state and snapshot; null when nothing must be durable.</param>
/// <param name="Entries">How many entries the batch carries.</param>
/// <param name="SendNow">Messages that may go before the save completes.</param>
public sealed record TurnPlan(LogBatch? Save, int Entries, IReadOnlyList<Outbound> SendNow);

/// <summary>
/// What the core produced since the shell last asked: to send, callers to answer, events, compactions, and meta
/// commands for the meta group's leader (steps of migrations this node drives while another node leads the meta
/// group; the shell forwards them, and the driver repeats any that does not show in the map).
/// </summary>
public sealed record TurnOutput(IReadOnlyList<Outbound> Sends, IReadOnlyList<Completion> Completions, IReadOnlyList<CoreEvent> Events, IReadOnlyList<Compaction> Compactions)
{
    /// <summary>Meta commands to forward to the meta group's leader.</summary>
    public IReadOnlyList<MetaCommand> ForMeta { get; init; } = [];
}
