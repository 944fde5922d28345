namespace NodeNomad.Load;

/// <summary>How busy this machine is, from <c>/proc/loadavg</c>: the load and the stores share its cores with anything else running.</summary>
internal static class MachineLoad
{
    public static string Describe()
    {
        try
        {
            if (File.ReadAllText("/proc/loadavg").Split(' ') is [var one, var five, var fifteen, ..])
            {
                return $"load average {one} {five} {fifteen} (1, 5, 15 min) on {Environment.ProcessorCount} cores";
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or not readable: say so below.
        }

        return $"load average unknown, {Environment.ProcessorCount} cores";
    }
}
