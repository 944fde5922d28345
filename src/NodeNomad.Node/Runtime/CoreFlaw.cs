namespace NodeNomad.Node.Runtime;

/// <summary>
/// A deliberately wrong rule the node core can be switched to, one at a time, so that tests show the simulator
/// finds it. The node never sets one; <see cref="None"/> is the only value outside those tests.
/// </summary>
public enum CoreFlaw
{
    /// <summary>The core follows every rule.</summary>
    None,

    /// <summary>A follower sends its acknowledgements before its own save is durable.</summary>
    FollowerAcksBeforeSave,

    /// <summary>A leader counts its own copy before its save: it applies and answers what is committed before the save completes.</summary>
    LeaderCountsItselfBeforeSave,

    /// <summary>A confirmed read is released before apply reaches its read index.</summary>
    ReadBeforeApply,

    /// <summary>A migration removes the leaving replica before it promotes the new one: for a while the group has one voter fewer.</summary>
    RemoveBeforePromote,
}
