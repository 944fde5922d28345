using System.Globalization;

namespace NodeNomad.Linearizability;

/// <summary>
/// Reads Jepsen's EDN history lines, one event map per line: <c>{:process 3, :type :invoke, :f :append, :key "4",
/// :value "x 3 7 y"}</c>. Blank lines and <c>;</c> comments are skipped, and so are events of a non-numeric
/// process such as <c>:nemesis</c>. Other keys are ignored, except <c>:time</c>: when every event has one, it is
/// the event's time; when none has, the line number is.
/// </summary>
internal static class EdnHistoryReader
{
    public static (List<HistoryEvent> Events, bool TimesAreLineNumbers, HistoryParseError? Error) Read(TextReader reader)
    {
        var events = new List<HistoryEvent>();
        bool? timed = null;
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed[0] == ';')
            {
                continue;
            }

            HistoryEvent? parsed = null;
            var problem = EdnReader.TryReadMap(trimmed, out var fields) ?? TryEvent(fields, lineNumber, out parsed);
            if (problem is not null)
            {
                return (events, true, new HistoryParseError(lineNumber, problem));
            }

            if (parsed is null)
            {
                continue;
            }

            var hasTime = fields.ContainsKey("time");
            timed ??= hasTime;
            if (hasTime != timed)
            {
                return (events, true, new HistoryParseError(lineNumber, timed.Value
                    ? "this event has no :time, but earlier ones do: either every event has a :time or none has"
                    : "this event has a :time, but earlier ones do not: either every event has a :time or none has"));
            }

            events.Add(parsed);
        }

        return (events, timed != true, null);
    }

    // Returns the event, or null for an event to skip (a nemesis's), or why the line is not an event.
    private static string? TryEvent(IReadOnlyDictionary<string, object?> fields, int line, out HistoryEvent? parsed)
    {
        parsed = null;
        if (!fields.TryGetValue("process", out var process))
        {
            return "the event has no :process";
        }

        if (process is EdnKeyword)
        {
            return null;
        }

        if (process is not long number || number is < int.MinValue or > int.MaxValue)
        {
            return $"expected a :process number, found {EdnReader.Describe(process)}";
        }

        var function = "";
        var problem = TryKeyword(fields, "type", out var type) ?? TryKeyword(fields, "f", out function);
        if (problem is not null)
        {
            return problem;
        }

        if (!EventTypes.TryParse(type, out var eventType))
        {
            return $"unknown :type :{type} (expected :invoke, :ok, :fail or :info)";
        }

        var time = (long)line;
        if (fields.TryGetValue("time", out var timeField))
        {
            if (timeField is not long given)
            {
                return $"expected an integer :time, found {EdnReader.Describe(timeField)}";
            }

            time = given;
        }

        parsed = new HistoryEvent(line, (int)number, eventType, function, fields.GetValueOrDefault("key"), fields.GetValueOrDefault("value"), time);
        return null;
    }

    private static string? TryKeyword(IReadOnlyDictionary<string, object?> fields, string key, out string name)
    {
        name = "";
        if (!fields.TryGetValue(key, out var value))
        {
            return $"the event has no :{key}";
        }

        if (value is not EdnKeyword keyword)
        {
            return string.Create(CultureInfo.InvariantCulture, $"expected a keyword for :{key}, found {EdnReader.Describe(value)}");
        }

        name = keyword.Name;
        return null;
    }
}
