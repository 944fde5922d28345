using System.Collections.Concurrent;
using NodeNomad.Node.Transport;

namespace NodeNomad.Node.Tests.Transport;

/// <summary>Keeps every report a transport makes.</summary>
internal sealed class RecordingFeedback : IPeerTransportFeedback
{
    private readonly ConcurrentQueue<Report> _reports = new();

    public IReadOnlyList<Report> Reports => [.. _reports];

    public IEnumerable<Report> Unreachables => _reports.Where(r => r.Kind == ReportKind.Unreachable);

    public void Unreachable(ulong groupId, ulong peerId) => _reports.Enqueue(new Report(ReportKind.Unreachable, groupId, peerId, Ok: false));

    public void SnapshotStatus(ulong groupId, ulong peerId, bool ok) => _reports.Enqueue(new Report(ReportKind.SnapshotStatus, groupId, peerId, ok));

    public Task WaitForAsync(Report report, TimeSpan? timeout = null) =>
        Eventually.TrueAsync(() => _reports.Contains(report), $"the report {report} (got {string.Join(", ", _reports)})", timeout);

    internal enum ReportKind
    {
        Unreachable,
        SnapshotStatus,
    }

    internal readonly record struct Report(ReportKind Kind, ulong GroupId, ulong PeerId, bool Ok)
    {
        public static Report UnreachableOf(ulong groupId, ulong peerId) => new(ReportKind.Unreachable, groupId, peerId, false);

        public static Report SnapshotOf(ulong groupId, ulong peerId, bool ok) => new(ReportKind.SnapshotStatus, groupId, peerId, ok);
    }
}
