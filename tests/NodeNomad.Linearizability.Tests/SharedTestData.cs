namespace NodeNomad.Linearizability.Tests;

/// <summary>Finds the test data shared between projects: <c>../shared/linearizability</c> beside the repository.</summary>
internal static class SharedTestData
{
    public static string PorcupineKv(string file) =>
        Path.Combine(RepositoryRoot(), "..", "shared", "linearizability", "porcupine-kv", file);

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
