using System.Runtime.InteropServices;
using NodeNomad.Launcher.Control;

namespace NodeNomad.Launcher;

/// <summary>Keys pressed in the launcher's terminal: each stands for a request, as if sent from another terminal.</summary>
internal static partial class TerminalKeys
{
    /// <summary>What the keys do, in a cluster of <paramref name="nodes"/> nodes.</summary>
    public static string Help(int nodes) =>
        $"Keys: {(nodes == 1 ? "1 restarts node-1" : $"1-{Math.Min(nodes, 9)} restart that node")} once it has exited, c the console; a adds a node; s lists the processes; ? this help; Ctrl+C stops the cluster.";

    /// <summary>
    /// True when standard input is a terminal and this process is in its foreground group, so reading a key neither
    /// fails (tests, CI, a pipe) nor stops the launcher (a background process that reads its terminal gets SIGTTIN).
    /// </summary>
    public static bool Available() => !Console.IsInputRedirected && TerminalForegroundGroup(0) == ProcessGroup();

    /// <summary>The request a key stands for: 1-9 restart node-N, c the console, a adds a node, s lists the processes; null for any other key.</summary>
    public static ControlRequest? RequestFor(char key) => key switch
    {
        >= '1' and <= '9' => new ControlRequest(ControlRequest.Restart, $"node-{key}"),
        'c' or 'C' => new ControlRequest(ControlRequest.Restart, "console"),
        's' or 'S' => new ControlRequest(ControlRequest.Status, null),
        'a' or 'A' => new ControlRequest(ControlRequest.Add, null),
        _ => null,
    };

    /// <summary>Calls <paramref name="pressed"/> with every key pressed from now on, on a thread of its own that ends with the process.</summary>
    public static void Listen(Action<char> pressed)
    {
        var reading = new Thread(() =>
        {
            while (true)
            {
                try
                {
                    pressed(Console.ReadKey(intercept: true).KeyChar);
                }
                catch (Exception e) when (e is InvalidOperationException or IOException)
                {
                    // The terminal went away: the launcher runs on, answering its control socket only.
                    return;
                }
            }
        })
        {
            IsBackground = true,
            Name = "Terminal keys",
        };
        reading.Start();
    }

    [LibraryImport("libc", EntryPoint = "tcgetpgrp")]
    private static partial int TerminalForegroundGroup(int fileDescriptor);

    [LibraryImport("libc", EntryPoint = "getpgrp")]
    private static partial int ProcessGroup();
}
