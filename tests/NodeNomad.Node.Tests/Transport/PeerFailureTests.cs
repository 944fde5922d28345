using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NodeNomad.Node.Transport;
using NodeNomad.Raft;
using static NodeNomad.Node.Tests.Transport.RecordingFeedback;

namespace NodeNomad.Node.Tests.Transport;

/// <summary>Lost peers, refused secrets, full queues and bad frames: losses are reported, nothing crashes, and traffic resumes.</summary>
public sealed class PeerFailureTests
{
    private static Message Heartbeat(ulong commit) => new() { Type = MessageType.Heartbeat, From = 1, To = 2, Term = 1, Commit = commit };

    [Fact]
    public async Task a_wrong_secret_delivers_nothing_and_the_sender_reports_unreachable()
    {
        await using var b = await PeerHost.StartAsync();
        var feedback = new RecordingFeedback();
        await using var fromA = PeerHost.Transport(1, new Dictionary<ulong, Uri> { [2] = b.PeerUri }, feedback, secret: "not-the-cluster-secret");

        for (ulong i = 0; i < 10; i++)
        {
            fromA.Send(5, Heartbeat(i));
        }

        await feedback.WaitForAsync(Report.UnreachableOf(5, 2));
        await Task.Delay(200, TestContext.Current.CancellationToken);
        b.Sink.Count.ShouldBe(0);
    }

    [Fact]
    public async Task a_peer_that_goes_down_is_reported_unreachable_and_traffic_resumes_when_it_returns()
    {
        await using var b = await PeerHost.StartAsync();
        var port = b.PeerPort;
        var feedback = new RecordingFeedback();
        await using var fromA = PeerHost.Transport(1, new Dictionary<ulong, Uri> { [2] = b.PeerUri }, feedback);
        fromA.Send(1, Heartbeat(0));
        await b.Sink.WaitForCountAsync(1);

        // Stopping ends the open stream at once (a node does not wait for its peers to hang up).
        var stopping = Stopwatch.StartNew();
        await b.DisposeAsync();
        stopping.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));

        await SendUntilAsync(fromA, 2, () => feedback.Unreachables.Contains(Report.UnreachableOf(2, 2)), "an unreachable report while the peer is down");

        await using var back = await PeerHost.StartAsync(port);
        await SendUntilAsync(fromA, 3, () => back.Sink.Messages.Any(m => m.GroupId == 3), "a message delivered once the peer is back");
    }

    [Fact]
    public async Task a_peer_that_never_was_up_is_reported_unreachable_and_reached_once_it_starts()
    {
        var port = PeerHost.FreePort();
        var feedback = new RecordingFeedback();
        await using var fromA = PeerHost.Transport(1, new Dictionary<ulong, Uri> { [2] = new($"http://127.0.0.1:{port}") }, feedback);

        await SendUntilAsync(fromA, 1, () => feedback.Unreachables.Contains(Report.UnreachableOf(1, 2)), "an unreachable report");

        await using var b = await PeerHost.StartAsync(port);
        await SendUntilAsync(fromA, 2, () => b.Sink.Messages.Any(m => m.GroupId == 2), "a message delivered once the peer is up");
    }

    [Fact]
    public async Task a_snapshot_to_an_unreachable_peer_is_reported_failed()
    {
        var feedback = new RecordingFeedback();
        await using var fromA = PeerHost.Transport(1, new Dictionary<ulong, Uri> { [2] = new($"http://127.0.0.1:{PeerHost.FreePort()}") }, feedback);

        fromA.Send(4, new Message
        {
            Type = MessageType.Snapshot,
            From = 1,
            To = 2,
            Snapshot = new Snapshot(new SnapshotMetadata(10, 1, ConfState.OfVoters(1, 2)), new byte[1000]),
        });

        await feedback.WaitForAsync(Report.SnapshotOf(4, 2, ok: false));
        await feedback.WaitForAsync(Report.UnreachableOf(4, 2));
    }

    [Fact]
    public async Task a_full_queue_drops_new_messages_and_reports_them_at_once()
    {
        // A listener that never answers: the first message opens a connection that hangs, so the queue only fills.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var feedback = new RecordingFeedback();
        await using var fromA = PeerHost.Transport(1, new Dictionary<ulong, Uri> { [2] = new($"http://{silent.LocalEndpoint}") }, feedback,
            options: new PeerTransportOptions { QueueCapacity = 4 });

        for (ulong i = 0; i < 10; i++)
        {
            fromA.Send(i, Heartbeat(i));
        }

        feedback.Unreachables.Count().ShouldBeGreaterThanOrEqualTo(5);
        feedback.Unreachables.ShouldAllBe(r => r.PeerId == 2 && r.GroupId >= 4);
    }

    [Fact]
    public async Task a_message_to_an_unknown_peer_is_reported_before_send_returns()
    {
        var feedback = new RecordingFeedback();
        await using var fromA = PeerHost.Transport(1, new Dictionary<ulong, Uri>(), feedback);

        fromA.Send(6, new Message { Type = MessageType.Vote, From = 1, To = 42, Term = 3 });

        feedback.Reports.ShouldBe([Report.UnreachableOf(6, 42)]);
    }

    [Fact]
    public async Task a_bad_frame_ends_that_stream_and_the_node_keeps_receiving()
    {
        await using var b = await PeerHost.StartAsync();
        using var http = new HttpClient();
        using var garbage = new HttpRequestMessage(HttpMethod.Post, new Uri(b.PeerUri, RaftTransportEndpoints.StreamPath))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 2, 1, 1, 250]),
        };
        garbage.Headers.Authorization = new("Bearer", PeerHost.Secret);

        try
        {
            using var response = await http.SendAsync(garbage, TestContext.Current.CancellationToken);
            await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        }
        catch (HttpRequestException)
        {
            // The receiver resets the stream; whether the client sees it as an error depends on timing.
        }

        var feedback = new RecordingFeedback();
        await using var fromA = PeerHost.Transport(1, new Dictionary<ulong, Uri> { [2] = b.PeerUri }, feedback);
        fromA.Send(7, Heartbeat(1));
        await b.Sink.WaitForCountAsync(1);
        b.Sink.Messages.ShouldHaveSingleItem().GroupId.ShouldBe(7UL);
    }

    /// <summary>Sends a heartbeat of <paramref name="group"/> every 50 ms until <paramref name="condition"/> holds, as Raft would.</summary>
    private static async Task SendUntilAsync(PeerTransport transport, ulong group, Func<bool> condition, string description)
    {
        using var sending = new CancellationTokenSource();
        var heartbeats = Task.Run(async () =>
        {
            for (ulong i = 0; !sending.IsCancellationRequested; i++)
            {
                transport.Send(group, Heartbeat(i));
                await Task.Delay(50, CancellationToken.None);
            }
        }, CancellationToken.None);
        try
        {
            await Eventually.TrueAsync(condition, description);
        }
        finally
        {
            await sending.CancelAsync();
            await heartbeats;
        }
    }
}
