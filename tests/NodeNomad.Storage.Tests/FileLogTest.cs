using System.Security.Cryptography;

namespace NodeNomad.Storage.Tests;

/// <summary>
/// Base of the file backend's own tests: a data directory per test, logs that are disposed afterwards, and
/// ways to damage the files the way crashes and bad disks do.
/// </summary>
public abstract class FileLogTest : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private readonly List<FileRaftLog> _opened = [];

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected string DataDirectory => _directory.Path;

    protected string WalDirectory => Path.Combine(DataDirectory, "wal");

    protected string SnapDirectory => Path.Combine(DataDirectory, "snap");

    /// <summary>The options every log of the test is opened with.</summary>
    protected FileRaftLogOptions Options { get; init; } = new();

    /// <summary>The segment files, oldest first.</summary>
    protected string[] Segments => [.. Directory.GetFiles(WalDirectory, "*.wal").Order(StringComparer.Ordinal)];

    protected string LastSegment => Segments[^1];

    protected string[] SnapshotFiles => [.. Directory.GetFiles(SnapDirectory).Order(StringComparer.Ordinal)];

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (FileRaftLog log in _opened)
        {
            await log.DisposeAsync();
        }

        _directory.Dispose();
    }

    protected FileRaftLog Open()
    {
        var log = new FileRaftLog(DataDirectory, Options);
        _opened.Add(log);
        return log;
    }

    protected async Task<(FileRaftLog Log, RecoveredLog Recovered)> StartAsync()
    {
        FileRaftLog log = Open();
        return (log, await log.RecoverAsync(Ct));
    }

    protected async Task<(FileRaftLog Log, RecoveredLog Recovered)> RestartAsync(FileRaftLog log)
    {
        await log.DisposeAsync();
        return await StartAsync();
    }

    /// <summary>Stops the node and asserts that its log refuses to recover.</summary>
    protected async Task<LogCorruptedException> RecoveryFailsAsync()
    {
        FileRaftLog log = Open();
        return await Should.ThrowAsync<LogCorruptedException>(async () => await log.RecoverAsync(Ct));
    }

    protected static long LengthOf(string path) => new FileInfo(path).Length;

    protected static void FlipByte(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        int value = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(value ^ 0x40));
    }

    protected static void Truncate(string path, long length)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.SetLength(length);
    }

    protected static void AppendBytes(string path, byte[] bytes)
    {
        using var file = new FileStream(path, FileMode.Append, FileAccess.Write);
        file.Write(bytes);
    }

    /// <summary>Every file of the data directory but the lock, by path relative to the directory, with its content.</summary>
    protected Dictionary<string, byte[]> CopyFiles() =>
        Directory.GetFiles(DataDirectory, "*", SearchOption.AllDirectories)
            .Where(path => Path.GetFileName(path) != "LOCK")
            .ToDictionary(path => Path.GetRelativePath(DataDirectory, path), ReadShared);

    /// <summary>Every file of the data directory but the lock, with a hash of its content.</summary>
    protected Dictionary<string, string> HashFiles() =>
        CopyFiles().ToDictionary(file => file.Key, file => Convert.ToHexString(SHA256.HashData(file.Value)));

    /// <summary>
    /// Leaves the data directory as a crash during the last record would have left it: the files as they were
    /// before that write (<paramref name="before"/>), plus the snapshot files the write made durable before its
    /// record, plus the first <paramref name="keptBytes"/> of the record. The log must be disposed, and the
    /// record must be in the segment that was last before the write.
    /// </summary>
    protected void CrashDuringLastRecord(Dictionary<string, byte[]> before, long recordStart, long keptBytes) =>
        CrashDuringRecord(before, LastSegment, File.ReadAllBytes(LastSegment)[(int)recordStart..], keptBytes);

    /// <summary>
    /// Puts the files back as they were <paramref name="before"/> (new snapshot files kept), then appends the first
    /// <paramref name="keptBytes"/> of <paramref name="record"/> to <paramref name="segment"/>: a crash part-way through it.
    /// </summary>
    protected void CrashDuringRecord(Dictionary<string, byte[]> before, string segment, byte[] record, long keptBytes)
    {
        List<KeyValuePair<string, byte[]>> newSnapshots = [.. CopyFiles().Where(f => f.Key.StartsWith("snap", StringComparison.Ordinal) && !before.ContainsKey(f.Key))];

        foreach (string path in CopyFiles().Keys.Where(path => !before.ContainsKey(path)))
        {
            File.Delete(Path.Combine(DataDirectory, path));
        }

        foreach ((string path, byte[] content) in before.Concat(newSnapshots))
        {
            File.WriteAllBytes(Path.Combine(DataDirectory, path), content);
        }

        AppendBytes(segment, record[..(int)keptBytes]);
    }

    private byte[] ReadShared(string relativePath)
    {
        // The log holds its active segment open while a test copies it.
        using var file = new FileStream(Path.Combine(DataDirectory, relativePath), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        byte[] content = new byte[file.Length];
        file.ReadExactly(content);
        return content;
    }
}
