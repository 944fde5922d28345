namespace NodeNomad.Node.Runtime;

/// <summary>
/// What the node core lends each of its groups: who this node is, the core's time, and where a group's outputs go
/// (messages, answers to callers, events). Owned by one <see cref="NodeCore"/>; loop only.
/// </summary>
public sealed class ReplicaContext
{
    internal ReplicaContext(ulong selfReplicaId, long incarnation, PeerAddressBook addresses, CommandClock commandClock, CoreFlaw flaw)
    {
        SelfReplicaId = selfReplicaId;
        Incarnation = incarnation;
        Addresses = addresses;
        CommandClock = commandClock;
        Flaw = flaw;
    }

    /// <summary>This node's replica id, the same in every group.</summary>
    public ulong SelfReplicaId { get; }

    /// <summary>
    /// A number drawn for this life of the node, carried in every read context: a leader may answer a read of a
    /// previous life late, and the restarted replica must not take that answer for one of its own reads.
    /// </summary>
    public long Incarnation { get; }

    /// <summary>Whose replica id is whose.</summary>
    public PeerAddressBook Addresses { get; }

    /// <summary>The clock commands are stamped with; applied timestamps are observed into it.</summary>
    public CommandClock CommandClock { get; }

    /// <summary>The rule deliberately broken, in tests that show the simulator finds it.</summary>
    public CoreFlaw Flaw { get; }

    /// <summary>The core's time in Unix milliseconds, as the shell last gave it.</summary>
    public long Now { get; internal set; }

    internal List<Outbound> Sends { get; } = [];

    internal List<Completion> Completions { get; } = [];

    internal List<CoreEvent> Events { get; } = [];

    internal void Complete(long ticket, Outcome outcome) => Completions.Add(new Completion(ticket, outcome));
}
