using NodeNomad.Node.Transport;
using NodeNomad.Raft;
using static NodeNomad.Node.Tests.Transport.RecordingFeedback;

namespace NodeNomad.Node.Tests.Transport;

/// <summary>Two applications on 127.0.0.1 exchange messages through real PeerTransports over HTTP/2 cleartext.</summary>
public sealed class LoopbackTransportTests(ITestOutputHelper output) : IAsyncLifetime
{
    private PeerHost _a = null!;
    private PeerHost _b = null!;

    public async ValueTask InitializeAsync()
    {
        _a = await PeerHost.StartAsync();
        _b = await PeerHost.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_a is not null)
        {
            await _a.DisposeAsync();
        }

        if (_b is not null)
        {
            await _b.DisposeAsync();
        }
    }

    private static Message Append(ulong from, ulong to, ulong sequence) => new()
    {
        Type = MessageType.Append,
        From = from,
        To = to,
        Term = 2,
        Index = sequence,
        Entries = [Entry.Command(sequence + 1, 2, BitConverter.GetBytes(sequence))],
    };

    [Fact]
    public async Task thousands_of_messages_arrive_in_order_per_peer_in_batches()
    {
        const int Count = 5000;
        var feedback = new RecordingFeedback();
        using var meterOfA = new TransportMeter(_a.Meters);
        using var meterOfB = new TransportMeter(_b.Meters);
        await using var fromA = PeerHost.Transport(1, new Dictionary<ulong, Uri> { [2] = _b.PeerUri }, feedback, meters: _a.Meters);
        await using var fromB = PeerHost.Transport(2, new Dictionary<ulong, Uri> { [1] = _a.PeerUri }, feedback, meters: _b.Meters);

        await Task.WhenAll(
            Task.Run(() =>
            {
                for (ulong i = 0; i < Count; i++)
                {
                    fromA.Send(i % 7, Append(1, 2, i));
                }
            }),
            Task.Run(() =>
            {
                for (ulong i = 0; i < Count; i++)
                {
                    fromB.Send(i % 5, Append(2, 1, i));
                }
            }));
        await _b.Sink.WaitForCountAsync(Count);
        await _a.Sink.WaitForCountAsync(Count);

        foreach (var (sink, from) in new[] { (_b.Sink, 1UL), (_a.Sink, 2UL) })
        {
            var messages = sink.Messages;
            messages.Count.ShouldBe(Count);
            messages.Select(m => m.Message.Index).ShouldBe(Enumerable.Range(0, Count).Select(i => (ulong)i));
            messages.ShouldAllBe(m => m.Message.From == from && m.GroupId == m.Message.Index % (from == 1 ? 7UL : 5UL));
            messages.Select(m => BitConverter.ToUInt64(m.Message.Entries[0].Data.ToArray())).ShouldBe(messages.Select(m => m.Message.Index));
        }

        feedback.Reports.ShouldBeEmpty();
        output.WriteLine($"B received {meterOfB["messages.received"]} messages in {meterOfB["frames.received/batch"]} batch frames; A sent {meterOfA["frames.sent/batch"]}");
        meterOfB["messages.received"].ShouldBe(Count);
        meterOfB["frames.received/batch"].ShouldBeLessThan(Count / 10);
        meterOfA["frames.sent/batch"].ShouldBe(meterOfB["frames.received/batch"]);
    }

    [Fact]
    public async Task messages_sent_on_an_open_stream_arrive_in_order_in_batches()
    {
        const int Count = 5000;
        var feedback = new RecordingFeedback();
        using var meterOfB = new TransportMeter(_b.Meters);
        await using var fromA = PeerHost.Transport(1, new Dictionary<ulong, Uri> { [2] = _b.PeerUri }, feedback, meters: _a.Meters);
        fromA.Send(0, Append(1, 2, 0));
        await _b.Sink.WaitForCountAsync(1);

        for (ulong i = 1; i <= Count; i++)
        {
            fromA.Send(i % 3, Append(1, 2, i));
        }

        await _b.Sink.WaitForCountAsync(Count + 1);
        _b.Sink.Messages.Select(m => m.Message.Index).ShouldBe(Enumerable.Range(0, Count + 1).Select(i => (ulong)i));
        feedback.Reports.ShouldBeEmpty();
        output.WriteLine($"{meterOfB["messages.received"]} messages in {meterOfB["frames.received/batch"]} batch frames");
        meterOfB["frames.received/batch"].ShouldBeLessThan(Count / 2);
        meterOfB["streams.accepted"].ShouldBe(1);
    }

    [Fact]
    public async Task a_message_larger_than_the_http2_flow_control_window_arrives()
    {
        var feedback = new RecordingFeedback();
        await using var fromA = PeerHost.Transport(1, new Dictionary<ulong, Uri> { [2] = _b.PeerUri }, feedback);
        var data = RandomMessages.Bytes(new Random(4), 4 * 1024 * 1024);

        fromA.Send(1, new Message { Type = MessageType.Append, From = 1, To = 2, Entries = [Entry.Command(1, 1, data)] });
        fromA.Send(1, Append(1, 2, 2));

        await _b.Sink.WaitForCountAsync(2);
        _b.Sink.Messages[0].Message.Entries[0].Data.ToArray().ShouldBe(data);
        feedback.Reports.ShouldBeEmpty();
    }

    [Fact]
    public async Task a_message_larger_than_a_frame_is_dropped_and_reported_and_the_stream_goes_on()
    {
        var feedback = new RecordingFeedback();
        await using var fromA = PeerHost.Transport(1, new Dictionary<ulong, Uri> { [2] = _b.PeerUri }, feedback);

        fromA.Send(8, new Message { Type = MessageType.Append, From = 1, To = 2, Entries = [Entry.Command(1, 1, new byte[RaftMessageCodec.MaxFramePayloadBytes])] });
        fromA.Send(9, Append(1, 2, 2));

        await _b.Sink.WaitForCountAsync(1);
        _b.Sink.Messages.ShouldHaveSingleItem().GroupId.ShouldBe(9UL);
        feedback.Reports.ShouldBe([Report.UnreachableOf(8, 2)]);
    }

    [Fact]
    public async Task a_5_mib_snapshot_arrives_intact_in_chunks_and_is_reported_sent()
    {
        var feedback = new RecordingFeedback();
        using var meterOfB = new TransportMeter(_b.Meters);
        await using var fromA = PeerHost.Transport(1, new Dictionary<ulong, Uri> { [2] = _b.PeerUri }, feedback);
        var data = new byte[5 * 1024 * 1024];
        new Random(5).NextBytes(data);
        var snapshot = new Message
        {
            Type = MessageType.Snapshot,
            From = 1,
            To = 2,
            Term = 4,
            Snapshot = new Snapshot(new SnapshotMetadata(9000, 4, new ConfState([1, 2], [3], [])), data),
        };

        fromA.Send(3, snapshot);
        for (ulong i = 0; i < 100; i++)
        {
            fromA.Send(i % 4, new Message { Type = MessageType.Heartbeat, From = 1, To = 2, Term = 4, Commit = i });
        }

        await feedback.WaitForAsync(Report.SnapshotOf(3, 2, ok: true));
        await _b.Sink.WaitForCountAsync(101);

        var received = _b.Sink.Messages.Single(m => m.Message.Type == MessageType.Snapshot);
        received.ShouldBeSameAs(new GroupMessage(3, snapshot));
        _b.Sink.Messages.Where(m => m.Message.Type == MessageType.Heartbeat).Select(m => m.Message.Commit).ShouldBe(Enumerable.Range(0, 100).Select(i => (ulong)i));
        meterOfB["frames.received/snapshot_chunk"].ShouldBe(20);
        feedback.Unreachables.ShouldBeEmpty();
    }

    [Fact]
    public async Task a_peer_added_later_receives_messages()
    {
        var feedback = new RecordingFeedback();
        await using var fromA = PeerHost.Transport(1, new Dictionary<ulong, Uri>(), feedback);

        fromA.Send(1, Append(1, 2, 0));
        fromA.SetPeers(new Dictionary<ulong, Uri> { [1] = _a.PeerUri, [2] = _b.PeerUri });
        fromA.Send(1, Append(1, 2, 1));

        feedback.Reports.ShouldBe([Report.UnreachableOf(1, 2)]);
        await _b.Sink.WaitForCountAsync(1);
        _b.Sink.Messages.ShouldHaveSingleItem().Message.Index.ShouldBe(1UL);
    }

    [Fact]
    public async Task a_changed_address_moves_the_stream_to_the_new_address()
    {
        var feedback = new RecordingFeedback();
        await using var fromA = PeerHost.Transport(1, new Dictionary<ulong, Uri> { [2] = _b.PeerUri }, feedback);
        fromA.Send(1, Append(1, 2, 0));
        await _b.Sink.WaitForCountAsync(1);

        fromA.SetPeers(new Dictionary<ulong, Uri> { [2] = _a.PeerUri });
        fromA.Send(1, Append(1, 2, 1));

        await _a.Sink.WaitForCountAsync(1);
        _a.Sink.Messages.ShouldHaveSingleItem().Message.Index.ShouldBe(1UL);
        _b.Sink.Count.ShouldBe(1);
    }
}
