using System.Globalization;

namespace NodeNomad.Linearizability;

/// <summary>
/// Reads the register histories in the logs of Jepsen's etcd test, for <see cref="RegisterModel"/>. Operation
/// lines hold, after the logger's prefix, process, type, f and value, separated by tabs or by runs of spaces
/// (both kinds of log exist; with tabs, anything after the value is ignored):
/// <code>
/// INFO  jepsen.util - 3	:invoke	:cas	[1 4]
/// INFO  jepsen.util - 3	:fail	:cas	[1 4]
/// INFO  jepsen.util - 0	:invoke	:read	nil
/// INFO  jepsen.util - 0	:ok	:read	2
/// INFO  jepsen.util - 4	:info	:write	:timed-out
/// </code>
/// Types are <c>:invoke :ok :fail :info</c>, functions <c>:read :write :cas</c>, values <c>nil</c>, an integer
/// or <c>[old new]</c>. A <c>:fail</c> operation did not happen and is dropped (as Knossos does); an
/// <c>:info</c> one, or one never completed, has an unknown outcome. Lines that are not operations
/// (other loggers, the nemesis) are skipped. Times are line numbers.
/// </summary>
public static class EtcdRegisterLog
{
    /// <summary>Reads a log; never throws for bad text, but returns the first problem with its line.</summary>
    public static ParsedHistory<RegisterInput, RegisterOutput> Parse(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var events = new List<HistoryEvent>();
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (!IsOperationLine(line))
            {
                continue;
            }

            var problem = TryEvent(line, lineNumber, out var parsed);
            if (problem is not null)
            {
                return new ParsedHistory<RegisterInput, RegisterOutput>(new HistoryParseError(lineNumber, problem));
            }

            if (parsed is not null)
            {
                events.Add(parsed);
            }
        }

        return HistoryAssembler.Assemble(events, new Dialect(), timesAreLineNumbers: true);
    }

    /// <summary>
    /// True for a line Jepsen's op logger wrote: from <c>jepsen.util</c>, whose second field after the prefix is a
    /// keyword (the type, after the process). Other lines of that logger ("Relative time begins now") are not
    /// operations.
    /// </summary>
    internal static bool IsOperationLine(string line) =>
        Fields(line) is { Count: >= 2 } fields && fields[1].StartsWith(':');

    // The fields after the logger's prefix: process, type and f, each a run of non-blank characters, then the value
    // (the rest up to a tab, if any; it may hold spaces, as in [1 4]). Fields are separated by tabs or by runs of
    // spaces: both kinds of log exist. Null when the line has no jepsen.util prefix.
    private static List<string>? Fields(string line)
    {
        const string Prefix = "jepsen.util";
        var at = line.IndexOf(Prefix, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var dash = line.IndexOf(" - ", at + Prefix.Length, StringComparison.Ordinal);
        if (dash < 0)
        {
            return null;
        }

        var fields = new List<string>(4);
        var position = dash + 3;
        while (fields.Count < 3)
        {
            while (position < line.Length && char.IsWhiteSpace(line[position]))
            {
                position++;
            }

            var start = position;
            while (position < line.Length && !char.IsWhiteSpace(line[position]))
            {
                position++;
            }

            if (position == start)
            {
                return fields;
            }

            fields.Add(line[start..position]);
        }

        while (position < line.Length && char.IsWhiteSpace(line[position]))
        {
            position++;
        }

        var end = line.IndexOf('\t', position);
        var value = (end < 0 ? line[position..] : line[position..end]).Trim();
        if (value.Length > 0)
        {
            fields.Add(value);
        }

        return fields;
    }

    // Returns the event, or null for one to skip (the nemesis's), or why the line is not an operation.
    private static string? TryEvent(string line, int lineNumber, out HistoryEvent? parsed)
    {
        parsed = null;
        var fields = Fields(line)!;
        if (fields.Count < 4)
        {
            return "expected four fields after the logger's prefix (tab- or space-separated): process, type, f, value";
        }

        var processText = fields[0];
        if (processText.StartsWith(':'))
        {
            return null;
        }

        if (!int.TryParse(processText, NumberStyles.None, CultureInfo.InvariantCulture, out var process))
        {
            return $"expected a process number as the first field, found '{processText}'";
        }

        var typeText = fields[1];
        if (!EventTypes.TryParse(typeText[1..], out var type))
        {
            return $"unknown type '{typeText}' (expected :invoke, :ok, :fail or :info)";
        }

        var function = fields[2];
        if (function is not (":read" or ":write" or ":cas"))
        {
            return $"unknown operation '{function}' (expected :read, :write or :cas)";
        }

        var problem = EdnReader.TryReadValue(fields[3], out var value);
        if (problem is not null)
        {
            return $"unreadable value '{fields[3]}': {problem}";
        }

        parsed = new HistoryEvent(lineNumber, process, type, function[1..], null, value, lineNumber);
        return null;
    }

    private sealed class Dialect : HistoryDialect<RegisterInput, RegisterOutput>
    {
        public override string? TryInput(HistoryEvent invoke, out RegisterInput input)
        {
            input = RegisterInput.Read();
            switch (invoke.Function)
            {
                case "read":
                    return null;
                case "write" when invoke.Value is long value:
                    input = RegisterInput.Write(value);
                    return null;
                case "write":
                    return $"expected an integer to write, found {EdnReader.Describe(invoke.Value)}";
                case "cas" when invoke.Value is IReadOnlyList<object?> { Count: 2 } pair && pair[0] is null or long && pair[1] is long written:
                    input = RegisterInput.CompareAndSet((long?)pair[0], written);
                    return null;
                default:
                    return $"expected a cas value [old new] of integers, found {EdnReader.Describe(invoke.Value)}";
            }
        }

        public override string? TryOutput(HistoryEvent ok, RegisterInput input, out RegisterOutput output)
        {
            output = RegisterOutput.Ok;
            if (input.Kind != RegisterOperationKind.Read)
            {
                return null;
            }

            if (ok.Value is not (null or long))
            {
                return $"expected a read to return an integer or nil, found {EdnReader.Describe(ok.Value)}";
            }

            output = RegisterOutput.Read((long?)ok.Value);
            return null;
        }
    }
}
