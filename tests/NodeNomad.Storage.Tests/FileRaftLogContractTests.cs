namespace NodeNomad.Storage.Tests;

/// <summary>The <see cref="IRaftLog"/> contract, run against the file backend.</summary>
public sealed class FileRaftLogContractTests : RaftLogContract
{
    private readonly TempDirectory _directory = new();

    protected override IRaftLog OpenLog() => new FileRaftLog(_directory.Path);

    protected override ValueTask DeleteStorageAsync()
    {
        _directory.Dispose();
        return ValueTask.CompletedTask;
    }
}
