using System.Runtime.CompilerServices;
using System.Text;

namespace NodeNomad.Raft.Tests.Golden;

/// <summary>
/// Tier 3: golden interaction scripts (Scripts/*.txt). Each command's output is compared with the recorded one;
/// set NODENOMAD_REWRITE_GOLDEN=1 to rewrite the recorded outputs when a change of behaviour is intended.
/// </summary>
public class GoldenScriptTests
{
    private const string RewriteVariable = "NODENOMAD_REWRITE_GOLDEN";

    public static TheoryData<string> Scripts() =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Scripts"), "*.txt").Select(path => Path.GetFileName(path)!).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Scripts))]
    public void a_golden_script_produces_its_recorded_output(string script)
    {
        var path = SourcePath(script);
        var text = File.ReadAllText(path);
        var blocks = ScriptFile.Parse(text);
        var interpreter = new ScriptInterpreter();
        var results = new List<(ScriptBlock, IReadOnlyList<string>)>();
        foreach (var block in blocks)
        {
            if (block.Command.Length == 0)
            {
                results.Add((block, []));
                continue;
            }

            try
            {
                results.Add((block, interpreter.Run(block.Command)));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InvalidOperationException($"{script}:{block.Line}: '{block.Command}' failed: {e.Message}", e);
            }
        }

        var actual = ScriptFile.Render(results);
        if (Environment.GetEnvironmentVariable(RewriteVariable) == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }

        var expected = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (expected != actual)
        {
            Assert.Fail($"{script} differs from its recorded output (- recorded, + actual; {RewriteVariable}=1 rewrites it if the change is intended):\n{LineDiff.Render(expected, actual)}");
        }
    }

    /// <summary>The script in the source tree when it is there (so a rewrite lands in it), else the copy beside the tests.</summary>
    private static string SourcePath(string script, [CallerFilePath] string thisFile = "")
    {
        var source = Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "Scripts", script);
        return File.Exists(source) ? Path.GetFullPath(source) : Path.Combine(AppContext.BaseDirectory, "Scripts", script);
    }
}

/// <summary>A small line diff (longest common subsequence) with context, for readable failures.</summary>
internal static class LineDiff
{
    public static string Render(string expected, string actual, int context = 3)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var ops = new List<(char Op, string Line, int LineNo)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                ops.Add((' ', a[x], x + 1));
                x++;
                y++;
            }
            else if (x < a.Length && (y == b.Length || lcs[x + 1, y] >= lcs[x, y + 1]))
            {
                ops.Add(('-', a[x], x + 1));
                x++;
            }
            else
            {
                ops.Add(('+', b[y], x + 1));
                y++;
            }
        }

        var keep = new bool[ops.Count];
        for (var k = 0; k < ops.Count; k++)
        {
            if (ops[k].Op != ' ')
            {
                for (var c = Math.Max(0, k - context); c <= Math.Min(ops.Count - 1, k + context); c++)
                {
                    keep[c] = true;
                }
            }
        }

        var sb = new StringBuilder();
        for (var k = 0; k < ops.Count; k++)
        {
            if (!keep[k])
            {
                continue;
            }

            if (k > 0 && !keep[k - 1])
            {
                sb.Append("@@ line ").Append(ops[k].LineNo).Append('\n');
            }

            sb.Append(ops[k].Op).Append(' ').Append(ops[k].Line).Append('\n');
        }

        return sb.ToString();
    }
}
