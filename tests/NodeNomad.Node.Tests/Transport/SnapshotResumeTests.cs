using NodeNomad.Node.Snapshots;
using NodeNomad.Node.Transport;
using NodeNomad.Raft;
using static NodeNomad.Node.Tests.Transport.RecordingFeedback;

namespace NodeNomad.Node.Tests.Transport;

/// <summary>
/// A snapshot streamed from a file to a peer that writes it to a file, under a bandwidth limit; its stream torn in the
/// middle; and sent again, resuming from what the peer holds rather than from zero.
/// </summary>
public sealed class SnapshotResumeTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "nodenomad-resume-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task a_snapshot_whose_stream_breaks_is_resumed_from_the_last_chunk_the_peer_holds()
    {
        var staging = new SnapshotStaging(Path.Combine(_directory, "receiver"));
        var inbox = new SnapshotInbox(staging);
        await using var receiver = await PeerHost.StartAsync(inbox: inbox);

        // 4 MiB of data in a file of the sender's, sent at 2 MiB/s in 64 KiB chunks: about two seconds, so the stream
        // can be torn half-way.
        var data = new byte[4 * 1024 * 1024];
        new Random(11).NextBytes(data);
        var file = Path.Combine(_directory, "sender.snapdata");
        await File.WriteAllBytesAsync(file, [.. new byte[100], .. data], TestContext.Current.CancellationToken);
        var snapshot = new Message
        {
            Type = MessageType.Snapshot,
            From = 1,
            To = 2,
            Term = 4,
            Snapshot = new Snapshot(new SnapshotMetadata(9000, 4, ConfState.OfVoters(1, 2)), SnapshotData.FromFile(file, 100, data.Length)),
        };

        var feedback = new RecordingFeedback();
        var peers = new Dictionary<ulong, Uri> { [2] = receiver.PeerUri };
        await using var sender = PeerHost.Transport(1, peers, feedback, options: new PeerTransportOptions
        {
            ReconnectDelay = TimeSpan.FromMilliseconds(50),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
            SnapshotChunkBytes = 64 * 1024,
            SnapshotBytesPerSecond = 2 * 1024 * 1024,
        });

        sender.Send(3, snapshot);
        await Eventually.TrueAsync(() => sender.Transfers.Of(3, 2) is { SentBytes: >= 1024 * 1024 }, "a quarter of the snapshot sent");

        // Tear the stream down: the peer's link goes (dropping what it had without reports) and the receiver sees its
        // request end inside the snapshot.
        sender.SetPeers(new Dictionary<ulong, Uri>());
        long held = 0;
        await Eventually.TrueAsync(() => (held = inbox.Held(3, 1, 9000, 4)) > 0, "the receiver keeps what arrived of the interrupted snapshot");
        held.ShouldBeLessThan(data.Length);
        (held % (64 * 1024)).ShouldBe(0, "what is held ends at a chunk boundary");
        receiver.Sink.Messages.ShouldBeEmpty();

        sender.SetPeers(peers);
        sender.Send(3, snapshot);
        await feedback.WaitForAsync(Report.SnapshotOf(3, 2, ok: true), TimeSpan.FromSeconds(30));

        var transfer = sender.Transfers.Of(3, 2)!;
        output.WriteLine($"Held {held} bytes after the break; the second send started at {transfer.ResumedFrom} and sent {transfer.SentBytes - transfer.ResumedFrom} bytes.");
        transfer.ResumedFrom.ShouldBe(held);
        transfer.Succeeded.ShouldBe(true);
        transfer.SentBytes.ShouldBe(data.Length);

        await receiver.Sink.WaitForCountAsync(1);
        var received = receiver.Sink.Messages.ShouldHaveSingleItem().Message.Snapshot!;
        (received.Metadata.Index, received.Metadata.Term).ShouldBe((9000UL, 4UL));
        received.Metadata.ConfState.Voters.ShouldBe([1UL, 2UL]);
        var stored = received.Data.ShouldBeOfType<FileSnapshotData>();
        Path.GetDirectoryName(stored.Path).ShouldBe(staging.Directory, "the receiver wrote the data to its staging folder, not to memory");
        received.Data.ToArray().ShouldBe(data, "the resumed snapshot is the sent one, byte for byte");
        inbox.Count.ShouldBe(0);
    }

    [Fact]
    public async Task a_snapshot_whose_file_is_gone_fails_without_breaking_the_stream()
    {
        await using var receiver = await PeerHost.StartAsync();
        var feedback = new RecordingFeedback();
        await using var sender = PeerHost.Transport(1, new Dictionary<ulong, Uri> { [2] = receiver.PeerUri }, feedback);
        var missing = Path.Combine(_directory, "replaced-by-a-newer-snapshot.snapdata");
        sender.Send(3, new Message
        {
            Type = MessageType.Snapshot,
            From = 1,
            To = 2,
            Term = 4,
            Snapshot = new Snapshot(new SnapshotMetadata(10, 4, ConfState.OfVoters(1, 2)), SnapshotData.FromFile(missing, 0, 1000)),
        });
        sender.Send(3, new Message { Type = MessageType.Heartbeat, From = 1, To = 2, Term = 4 });

        await feedback.WaitForAsync(Report.SnapshotOf(3, 2, ok: false));
        await receiver.Sink.WaitForCountAsync(1);
        receiver.Sink.Messages.ShouldHaveSingleItem().Message.Type.ShouldBe(MessageType.Heartbeat);
        feedback.Unreachables.ShouldBeEmpty("the stream itself stayed up");
    }
}
