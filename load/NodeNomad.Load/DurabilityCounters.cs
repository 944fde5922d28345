namespace NodeNomad.Load;

/// <summary>A store's running totals of writes it committed and durable syncs (fsyncs) it did for them.</summary>
internal readonly record struct DurabilityCounters(long Writes, long Syncs)
{
    /// <summary>What was counted between <paramref name="before"/> and this reading.</summary>
    public DurabilityCounters Since(DurabilityCounters before) => new(Writes - before.Writes, Syncs - before.Syncs);

    /// <summary>The average group-commit batch: writes made durable per fsync, or null without any fsync.</summary>
    public double? WritesPerSync => Syncs > 0 ? (double)Writes / Syncs : null;
}
