namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>How many faults of each kind a run injected.</summary>
internal sealed class FaultCounts
{
    public int Crashes { get; set; }

    public int Partitions { get; set; }

    public int MembershipChanges { get; set; }

    public int Transfers { get; set; }

    public int Compactions { get; set; }

    public int Pauses { get; set; }

    public override string ToString() =>
        $"{Crashes} crashes, {Partitions} partitions, {MembershipChanges} membership changes, {Transfers} transfers, {Pauses} pauses, {Compactions} forced compactions";
}
