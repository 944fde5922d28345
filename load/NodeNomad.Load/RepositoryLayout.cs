using System.Globalization;

namespace NodeNomad.Load;

/// <summary>Where the node and launcher builds and the etcd script of the benchmarks are, inside the repository.</summary>
internal sealed record RepositoryLayout(string Root)
{
    private const string Solution = "NodeNomad.sln";

    public string NodeProject => Path.Combine(Root, "src", "NodeNomad.Node");

    public string NodeDll => Path.Combine(NodeProject, "bin", "Release", "net10.0", "NodeNomad.Node.dll");

    public string LauncherProject => Path.Combine(Root, "src", "NodeNomad.Launcher");

    public string LauncherDll => Path.Combine(LauncherProject, "bin", "Release", "net10.0", "NodeNomad.Launcher.dll");

    public string EtcdClusterScript => Path.Combine(Root, "load", "etcd-cluster.sh");

    /// <summary>The repository holding this program's build, or else the working folder.</summary>
    public static RepositoryLayout Find()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, Solution)))
                {
                    return new RepositoryLayout(folder.FullName);
                }
            }
        }

        throw new BenchSetupException($"no {Solution} above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}; run from the repository.");
    }

    public string RequireNodeDll() => File.Exists(NodeDll)
        ? NodeDll
        : throw new BenchSetupException($"the node's Release build is missing ({NodeDll}). Build it with:\n  dotnet build -c Release {NodeProject}");

    public string RequireLauncherDll() => File.Exists(LauncherDll)
        ? LauncherDll
        : throw new BenchSetupException($"the launcher's Release build is missing ({LauncherDll}). Build it with:\n  dotnet build -c Release {LauncherProject}");

    /// <summary>The node dll and when it was built, so that a stale build shows.</summary>
    public static string DescribeBuild(string nodeDll) =>
        string.Create(CultureInfo.InvariantCulture, $"{nodeDll}, built {File.GetLastWriteTime(nodeDll):yyyy-MM-dd HH:mm}");

    public string RequireEtcdClusterScript() => File.Exists(EtcdClusterScript)
        ? EtcdClusterScript
        : throw new BenchSetupException($"--etcd needs {EtcdClusterScript}, which starts the etcd members to compare with.");
}
