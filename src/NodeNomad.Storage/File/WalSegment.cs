using System.Globalization;

namespace NodeNomad.Storage;

/// <summary>
/// One segment file of wal/, named by its zero-padded sequence number. Every segment starts with a checkpoint
/// of every group's hard state and snapshot, so replay never needs an older segment for those; the segment
/// tracks the highest entry index it holds per live group to know when it is no longer needed for entries either.
/// </summary>
internal sealed class WalSegment(long sequence, string path, long length)
{
    private const string Suffix = ".wal";
    private const int SequenceDigits = 16;

    private readonly Dictionary<ulong, ulong> _highestIndex = [];

    // Every group any record here says something of (entries, hard state, snapshot points), live or dropped since:
    // the segments that still hold bytes of a dropped group are the ones rewritten without them.
    private readonly HashSet<ulong> _mentioned = [];

    public long Sequence { get; } = sequence;

    public string Path { get; } = path;

    /// <summary>Bytes of whole records in the file.</summary>
    public long Length { get; set; } = length;

    public static string FileName(long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{sequence:D16}{Suffix}");

    public static bool TryParseName(string fileName, out long sequence)
    {
        sequence = 0;
        return fileName.Length == SequenceDigits + Suffix.Length
            && fileName.EndsWith(Suffix, StringComparison.Ordinal)
            && long.TryParse(fileName.AsSpan(0, SequenceDigits), NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
    }

    /// <summary>Records that the segment holds the entries of <paramref name="batch"/>.</summary>
    public void NoteEntries(BatchRecord batch)
    {
        Mention(batch);
        foreach (GroupRecord group in batch.Groups.Where(g => g.Entries.Count > 0))
        {
            ulong index = group.Entries.Max(e => e.Index);
            if (!_highestIndex.TryGetValue(group.GroupId, out ulong highest) || index > highest)
            {
                _highestIndex[group.GroupId] = index;
            }
        }
    }

    /// <summary>Records which groups <paramref name="record"/>, written to the segment, says something of.</summary>
    public void Mention(WalRecord record)
    {
        switch (record)
        {
            case BatchRecord batch:
                _mentioned.UnionWith(batch.Groups.Select(g => g.GroupId));
                break;
            case CompactionRecord compaction:
                _ = _mentioned.Add(compaction.GroupId);
                break;
            case CheckpointRecord checkpoint:
                _mentioned.UnionWith(checkpoint.Groups.Select(g => g.GroupId));
                break;
        }
    }

    /// <summary>Whether any record of the segment says something of <paramref name="groupId"/>.</summary>
    public bool Mentions(ulong groupId) => _mentioned.Contains(groupId);

    /// <summary>Starts the list of mentioned groups afresh, for a segment rewritten with <paramref name="records"/>.</summary>
    public void MentionOnly(IEnumerable<WalRecord> records)
    {
        _mentioned.Clear();
        foreach (WalRecord record in records)
        {
            Mention(record);
        }
    }

    /// <summary>
    /// Records that a later record dropped <paramref name="groupId"/>: the group's entries here are dead, and no
    /// longer keep the segment. Entries a later record writes to a group of that id are noted afresh.
    /// </summary>
    public void ForgetGroup(ulong groupId) => _ = _highestIndex.Remove(groupId);

    /// <summary>
    /// Whether every entry in the segment is at or below its group's snapshot index, so that the snapshots
    /// replace everything the segment could contribute to a group's log.
    /// </summary>
    public bool IsCoveredBySnapshots(Func<ulong, ulong> snapshotIndexOf) =>
        _highestIndex.All(group => group.Value <= snapshotIndexOf(group.Key));
}
