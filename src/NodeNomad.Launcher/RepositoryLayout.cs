using System.Reflection;

namespace NodeNomad.Launcher;

/// <summary>Where the node's and the console's builds are: beside this program's, in the same configuration.</summary>
internal sealed record RepositoryLayout(string Root, string Configuration)
{
    private const string Solution = "NodeNomad.sln";

    public string NodeDll => Build("NodeNomad.Node");

    public string ConsoleDll => Build("NodeNomad.Console");

    /// <summary>The repository holding this program's build, or else the one above the working folder.</summary>
    public static RepositoryLayout? Find()
    {
        var configuration = typeof(RepositoryLayout).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, Solution)))
                {
                    return new RepositoryLayout(folder.FullName, configuration);
                }
            }
        }

        return null;
    }

    private string Build(string project) => Path.Combine(Root, "src", project, "bin", Configuration, "net10.0", $"{project}.dll");
}
