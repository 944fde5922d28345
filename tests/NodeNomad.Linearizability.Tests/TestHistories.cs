namespace NodeNomad.Linearizability.Tests;

/// <summary>Finds the histories kept in the repository: <c>tests/fixtures/linearizability</c>.</summary>
internal static class TestHistories
{
    public static string PorcupineKv(string file) =>
        Path.Combine(RepositoryRoot(), "tests", "fixtures", "linearizability", "porcupine-kv", file);

    public static string JepsenEtcd(string file) =>
        Path.Combine(RepositoryRoot(), "tests", "fixtures", "linearizability", "jepsen-etcd", file);

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "NodeNomad.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No NodeNomad.sln above {AppContext.BaseDirectory}.");
    }
}
