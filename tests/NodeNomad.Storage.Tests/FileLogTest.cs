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

    /// <summary>Every file of the data directory, with a hash of its content.</summary>
    protected Dictionary<string, string> ReadAllFiles() =>
        Directory.GetFiles(DataDirectory, "*", SearchOption.AllDirectories)
            .ToDictionary(path => Path.GetRelativePath(DataDirectory, path), path => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))));
}
