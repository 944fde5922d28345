using System.Diagnostics;

namespace NodeNomad.Load;

/// <summary>
/// A throwaway Unix user (<c>nodenomad-chaos-N</c>) a node runs as, so that iptables' owner match can cut that node's
/// links on loopback. Created with <c>useradd</c> (reused when a run before left it) and removed with <c>userdel</c>.
/// Needs root; <see cref="CanCreate"/> says whether this run has it.
/// </summary>
internal sealed class NodeUser : IDisposable
{
    private static readonly string[] Tools = ["/usr/sbin/useradd", "/usr/bin/setpriv", "/usr/sbin/iptables"];

    private NodeUser(string name) => Name = name;

    public string Name { get; }

    /// <summary>True when this program runs as root with <c>useradd</c>, <c>setpriv</c> and <c>iptables</c> at hand.</summary>
    public static bool CanCreate =>
        Environment.UserName == "root" && Tools.All(File.Exists);

    public static NodeUser Create(int index)
    {
        var name = $"nodenomad-chaos-{index}";
        if (Run("id", "-u", name) != 0 && Run("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name) != 0)
        {
            throw new BenchSetupException($"could not create the user {name} for a node");
        }

        return new NodeUser(name);
    }

    /// <summary>Hands <paramref name="folder"/> (the node's data and home) to the user.</summary>
    public void Own(DirectoryInfo folder)
    {
        if (Run("chown", "-R", $"{Name}:{Name}", folder.FullName) != 0)
        {
            throw new BenchSetupException($"could not give {folder.FullName} to {Name}");
        }
    }

    public void Dispose() => Run("userdel", Name);

    /// <summary>Runs a system command to its end and returns its exit code; its output is discarded.</summary>
    public static int Run(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode;
    }
}
