using System.Globalization;

namespace NodeNomad.Launcher;

/// <summary>How a process of the cluster ended, in words: "exit code 3", "killed by SIGKILL".</summary>
internal static class ExitReason
{
    /// <summary>
    /// .NET reports a process ended by signal N as exit code 128 + N, as shells do, so 129..192 is read as a signal:
    /// the node and the console exit with small codes of their own (0 to 5).
    /// </summary>
    public static bool IsSignal(int exitCode) => exitCode is > 128 and <= 192;

    public static string Describe(int exitCode) =>
        IsSignal(exitCode) ? $"killed by {SignalName(exitCode - 128)}" : string.Create(CultureInfo.InvariantCulture, $"exit code {exitCode}");

    private static string SignalName(int signal) => signal switch
    {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        _ => string.Create(CultureInfo.InvariantCulture, $"signal {signal}"),
    };
}
