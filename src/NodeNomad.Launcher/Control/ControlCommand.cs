namespace NodeNomad.Launcher.Control;

/// <summary>A request for the running launcher, read from the command line: <c>restart node-3 [--data DIR]</c>, <c>add</c>.</summary>
/// <param name="Request">What is asked.</param>
/// <param name="DataFolder">The data folder of the launcher asked, as given to it with --data.</param>
/// <param name="Help">True when <c>--help</c> was asked for.</param>
internal sealed record ControlCommand(ControlRequest Request, string DataFolder, bool Help = false)
{
    /// <summary>True when the command line is a request for a running launcher rather than a cluster to run.</summary>
    public static bool IsCommand(IReadOnlyList<string> args) => args.Count > 0 && ControlRequest.IsVerb(args[0]);

    /// <summary>Reads the command line; on failure <paramref name="error"/> says which argument and why.</summary>
    public static bool TryParse(IReadOnlyList<string> args, out ControlCommand command, out string error)
    {
        var verb = args.Count > 0 ? args[0] : string.Empty;
        command = new ControlCommand(new ControlRequest(verb, null), new LaunchOptions().DataFolder);
        error = string.Empty;
        if (!ControlRequest.IsVerb(verb))
        {
            error = $"Unknown request '{verb}'; the launcher takes {ControlRequest.Restart}, {ControlRequest.Stop}, {ControlRequest.Add} and {ControlRequest.Status}.";
            return false;
        }

        var targets = new List<string>();
        for (var i = 1; i < args.Count; i++)
        {
            var argument = args[i];
            if (argument is "-h" or "--help")
            {
                command = command with { Help = true };
            }
            else if (argument == "--data")
            {
                if (i + 1 >= args.Count || string.IsNullOrWhiteSpace(args[i + 1]))
                {
                    error = "--data needs a value.";
                    return false;
                }

                command = command with { DataFolder = args[++i] };
            }
            else if (argument.StartsWith('-'))
            {
                error = $"Unknown option '{argument}' for {verb}; it takes --data DIR only.";
                return false;
            }
            else
            {
                targets.Add(argument);
            }
        }

        if (command.Help)
        {
            return true;
        }

        switch (ControlRequest.TakesNoProcess(verb), targets.Count)
        {
            case (true, 0):
                return true;
            case (true, _):
                error = $"{verb} takes no process, not '{string.Join(' ', targets)}'.";
                return false;
            case (false, 1):
                command = command with { Request = command.Request with { Target = targets[0] } };
                return true;
            default:
                error = $"{verb} needs one process: node-N or console (e.g. {verb} node-3).";
                return false;
        }
    }
}
