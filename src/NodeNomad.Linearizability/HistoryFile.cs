using System.Diagnostics;
using System.Security;

namespace NodeNomad.Linearizability;

/// <summary>
/// Checks a history file whatever its format: what the CLI's <c>check-history FILE</c> runs. The format is
/// recognised from the text (see <see cref="HistoryFormat"/>):
/// a first line starting with <see cref="NodeNomadKvHistory.Header"/> is a NodeNomad history; a first line that
/// is an EDN map or a <c>;</c> comment is a Jepsen key-value history (get / put / append); a file with Jepsen
/// op-logger lines (<c>jepsen.util</c> and tabs) is an etcd register log.
/// </summary>
public static class HistoryFile
{
    /// <summary>Reads, parses and checks the history at <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="timeout">Gives up with <see cref="HistoryFileVerdict.Timeout"/> after this long; null waits for a verdict.</param>
    /// <param name="cancellationToken">Also gives up with <see cref="HistoryFileVerdict.Timeout"/>.</param>
    /// <returns>
    /// The verdict; a file that cannot be read or parsed gives <see cref="HistoryFileVerdict.Unreadable"/> with the
    /// reason (and line) in the message, never an exception.
    /// </returns>
    public static HistoryFileResult Check(string path, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or SecurityException)
        {
            return Unreadable(null, started, $"cannot read {path}: {e.Message}");
        }

        return CheckText(text, timeout, started, cancellationToken);
    }

    /// <summary>Parses and checks a history held in <paramref name="text"/>, as <see cref="Check"/> does for a file.</summary>
    public static HistoryFileResult CheckText(string text, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        CheckText(text, timeout, Stopwatch.GetTimestamp(), cancellationToken);

    private static HistoryFileResult CheckText(string text, TimeSpan? timeout, long started, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Recognise(text) switch
        {
            HistoryFormat.NodeNomadKvEdn => Run(HistoryFormat.NodeNomadKvEdn, NodeNomadKvHistory.Parse(new StringReader(text)), new NodeNomadKvModel(), timeout, started, cancellationToken),
            HistoryFormat.AppendKvEdn => Run(HistoryFormat.AppendKvEdn, AppendKvHistory.Parse(new StringReader(text)), new AppendKvModel(), timeout, started, cancellationToken),
            HistoryFormat.EtcdRegisterLog => Run(HistoryFormat.EtcdRegisterLog, EtcdRegisterLog.Parse(new StringReader(text)), new RegisterModel(), timeout, started, cancellationToken),
            _ => Unreadable(null, started, text.Trim().Length == 0
                ? "the file is empty"
                : "not a history format this checker knows: expected Jepsen EDN events ({:process 0, :type :invoke, :f :get, :key \"k\", :value nil}), "
                    + $"a NodeNomad history (first line {NodeNomadKvHistory.Header}) or a Jepsen etcd log (INFO  jepsen.util - 0<TAB>:invoke<TAB>:read<TAB>nil)"),
        };
    }

    private static HistoryFormat? Recognise(string text)
    {
        using var lines = new StringReader(text);
        var first = "";
        while (first.Length == 0 && lines.ReadLine() is { } line)
        {
            first = line.Trim();
        }

        if (first.StartsWith(NodeNomadKvHistory.Header, StringComparison.Ordinal))
        {
            return HistoryFormat.NodeNomadKvEdn;
        }

        if (first.StartsWith('{') || first.StartsWith(';'))
        {
            return HistoryFormat.AppendKvEdn;
        }

        for (var line = first; line is not null; line = lines.ReadLine())
        {
            if (EtcdRegisterLog.IsOperationLine(line))
            {
                return HistoryFormat.EtcdRegisterLog;
            }
        }

        return null;
    }

    private static HistoryFileResult Run<TState, TInput, TOutput>(
        HistoryFormat format,
        ParsedHistory<TInput, TOutput> parsed,
        Model<TState, TInput, TOutput> model,
        TimeSpan? timeout,
        long started,
        CancellationToken cancellationToken)
    {
        if (!parsed.Succeeded)
        {
            return Unreadable(format, started, $"{Describe(format)}, {parsed.Error}");
        }

        var result = LinearizabilityChecker.Check(model, parsed.Operations, timeout, cancellationToken);
        var verdict = result.Verdict switch
        {
            Verdict.Linearizable => HistoryFileVerdict.Linearizable,
            Verdict.NotLinearizable => HistoryFileVerdict.NotLinearizable,
            _ => HistoryFileVerdict.Timeout,
        };
        var times = parsed.TimesAreLineNumbers ? "times are line numbers" : "times are the events' :time";
        return new HistoryFileResult(
            verdict,
            format,
            result.Operations,
            result.Partitions,
            Stopwatch.GetElapsedTime(started),
            $"{Describe(format)} ({times}). {result.Message}",
            result.Violation);
    }

    private static HistoryFileResult Unreadable(HistoryFormat? format, long started, string reason) =>
        new(HistoryFileVerdict.Unreadable, format, 0, 0, Stopwatch.GetElapsedTime(started), $"Unreadable: {reason}", null);

    private static string Describe(HistoryFormat format) => format switch
    {
        HistoryFormat.NodeNomadKvEdn => "NodeNomad key-value history",
        HistoryFormat.AppendKvEdn => "Jepsen key-value history (get/put/append)",
        _ => "Jepsen etcd register log",
    };
}
