using System.Runtime.InteropServices;

namespace NodeNomad.Launcher;

/// <summary>Sends a POSIX signal to a process: <see cref="System.Diagnostics.Process"/> can only SIGKILL.</summary>
internal static partial class Signals
{
    public const int Interrupt = 2;
    public const int Terminate = 15;

    /// <summary>True when the signal was delivered.</summary>
    public static bool Send(int processId, int signal) => Kill(processId, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int sig);
}
