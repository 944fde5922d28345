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
        foreach (GroupRecord group in batch.Groups.Where(g => g.Entries.Count > 0))
        {
            ulong index = group.Entries.Max(e => e.Index);
            if (!_highestIndex.TryGetValue(group.GroupId, out ulong highest) || index > highest)
            {
                _highestIndex[group.GroupId] = index;
            }
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
