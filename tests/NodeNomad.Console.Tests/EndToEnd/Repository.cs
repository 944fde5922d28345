namespace NodeNomad.Console.Tests.EndToEnd;

/// <summary>Where the repository is: the folder above the test's output that holds NodeNomad.sln.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NodeNomad.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException($"No NodeNomad.sln above {AppContext.BaseDirectory}.");
    }
}
