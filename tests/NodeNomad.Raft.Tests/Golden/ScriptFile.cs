namespace NodeNomad.Raft.Tests.Golden;

/// <summary>One command of a golden script: comments before it, the command line, and its expected output.</summary>
internal sealed record ScriptBlock(IReadOnlyList<string> Comments, string Command, IReadOnlyList<string> Expected, int Line);

/// <summary>
/// The golden script format: blocks separated by blank lines; each block is optional '#' comment lines, one
/// command line, a '----' line, then the expected output (never blank lines) up to the next blank line.
/// </summary>
internal static class ScriptFile
{
    public const string Separator = "----";

    public static List<ScriptBlock> Parse(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var blocks = new List<ScriptBlock>();
        var i = 0;
        while (i < lines.Length)
        {
            while (i < lines.Length && lines[i].Trim().Length == 0)
            {
                i++;
            }

            if (i >= lines.Length)
            {
                break;
            }

            var comments = new List<string>();
            while (i < lines.Length && lines[i].StartsWith('#'))
            {
                comments.Add(lines[i++]);
            }

            if (i >= lines.Length || lines[i].Trim().Length == 0)
            {
                // Trailing comments without a command: keep them as a block with no command.
                blocks.Add(new ScriptBlock(comments, "", [], i + 1));
                continue;
            }

            var line = i + 1;
            var command = lines[i++].Trim();
            var expected = new List<string>();
            if (i < lines.Length && lines[i] == Separator)
            {
                i++;
                while (i < lines.Length && lines[i].Trim().Length > 0)
                {
                    expected.Add(lines[i++]);
                }
            }

            blocks.Add(new ScriptBlock(comments, command, expected, line));
        }

        return blocks;
    }

    public static string Render(IEnumerable<(ScriptBlock Block, IReadOnlyList<string> Output)> blocks)
    {
        var parts = new List<string>();
        foreach (var (block, output) in blocks)
        {
            var lines = new List<string>(block.Comments);
            if (block.Command.Length > 0)
            {
                lines.Add(block.Command);
                lines.Add(Separator);
                lines.AddRange(output);
            }

            parts.Add(string.Join('\n', lines));
        }

        return string.Join("\n\n", parts) + "\n";
    }
}
