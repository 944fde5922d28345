using NodeNomad.Raft;
using System.Globalization;
using System.Text;

namespace NodeNomad.Simulation;

/// <summary>
/// The run's trace: a running hash of every event (so two runs of one seed can be compared), and the most
/// recent events kept for the failure report. Records are plain values; text is made only when it is shown.
/// </summary>
public sealed class TraceLog(int keep, TextWriter? everything = null)
{
    private readonly Record[] _recent = new Record[keep];
    private long _count;

    public ulong Hash { get; private set; } = Fnv.Offset;

    /// <param name="time">Virtual time.</param>
    /// <param name="what">A constant naming the event (never built per call).</param>
    /// <param name="replica">The replica concerned, or 0.</param>
    public void Add(long time, string what, ulong replica, ulong a = 0, ulong b = 0, ulong c = 0, ulong d = 0)
    {
        Remember(time, what, replica, a, b, c, d, null);
    }

    /// <summary>Records a message event with every field that decides what the receiver does.</summary>
    public void Add(long time, string what, Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var last = message.Entries.Count > 0 ? message.Entries[^1].Index : 0;
        Remember(time, what, message.From,
            ((ulong)message.Type << 56) | ((message.Reject ? 1UL : 0) << 48) | message.To,
            message.Term,
            (message.LogTerm << 32) ^ message.Index ^ (message.RejectHint << 16),
            (message.Commit << 32) ^ ((ulong)message.Entries.Count << 24) ^ last ^ ((message.Snapshot?.Metadata.Index ?? 0) << 40),
            message);
    }

    /// <summary>The most recent events, oldest first, one a line.</summary>
    public string Tail(int lines)
    {
        var builder = new StringBuilder();
        var shown = Math.Min(Math.Min(lines, _recent.Length), _count);
        for (var i = _count - shown; i < _count; i++)
        {
            Format(builder, _recent[i % _recent.Length]);
            builder.AppendLine();
        }

        return builder.ToString();
    }

    private static void Format(StringBuilder builder, Record record)
    {
        builder.Append(CultureInfo.InvariantCulture, $"  t={record.Time,7} ");
        if (record.Message is { } m)
        {
            builder.Append(CultureInfo.InvariantCulture,
                $"{record.What} {m.Type} {m.From}->{m.To} term={m.Term} logTerm={m.LogTerm} index={m.Index} commit={m.Commit} entries={Describe(m.Entries)}");
            if (m.Reject)
            {
                builder.Append(CultureInfo.InvariantCulture, $" reject hint={m.RejectHint}");
            }

            if (m.Snapshot is { } snapshot)
            {
                builder.Append(CultureInfo.InvariantCulture, $" snapshot=({snapshot.Metadata.Index},{snapshot.Metadata.Term})");
            }
        }
        else
        {
            builder.Append(CultureInfo.InvariantCulture, $"r{record.Replica} {record.What} {record.A} {record.B} {record.C} {record.D}");
        }
    }

    private static string Describe(IReadOnlyList<Entry> entries) => entries.Count switch
    {
        0 => "[]",
        1 => $"[({entries[0].Index},{entries[0].Term})]",
        _ => $"[({entries[0].Index},{entries[0].Term})..({entries[^1].Index},{entries[^1].Term})]",
    };

    private void Remember(long time, string what, ulong replica, ulong a, ulong b, ulong c, ulong d, Message? message)
    {
        var hash = Fnv.Add(Hash, (ulong)time);
        hash = Fnv.Add(hash, what);
        hash = Fnv.Add(hash, replica);
        hash = Fnv.Add(hash, a);
        hash = Fnv.Add(hash, b);
        hash = Fnv.Add(hash, c);
        Hash = Fnv.Add(hash, d);
        var record = new Record(time, what, replica, a, b, c, d, message);
        _recent[_count % _recent.Length] = record;
        _count++;
        if (everything is not null)
        {
            var line = new StringBuilder();
            Format(line, record);
            everything.WriteLine(line.ToString());
        }
    }

    private readonly record struct Record(long Time, string What, ulong Replica, ulong A, ulong B, ulong C, ulong D, Message? Message);
}
