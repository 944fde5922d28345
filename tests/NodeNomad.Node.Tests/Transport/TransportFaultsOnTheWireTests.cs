using System.Diagnostics;
using NodeNomad.Node.Transport;
using NodeNomad.Raft;

namespace NodeNomad.Node.Tests.Transport;

/// <summary>
/// The transport's test-only fault switch on real peer messages: a transport sends to a host on 127.0.0.1 over
/// HTTP/2 while the switch's file says to delay or to drop, as the load program's chaos runs write it.
/// </summary>
public sealed class TransportFaultsOnTheWireTests(ITestOutputHelper output) : IAsyncLifetime
{
    // The runtime's timers count whole milliseconds of a coarser clock than Stopwatch's, so a delay may end a little early.
    private static readonly TimeSpan TimerSlack = TimeSpan.FromMilliseconds(10);

    private readonly string _file = Path.Combine(Path.GetTempPath(), $"nodenomad-transport-faults-{Guid.NewGuid():N}");
    private PeerHost _peer = null!;

    public async ValueTask InitializeAsync() => _peer = await PeerHost.StartAsync();

    public async ValueTask DisposeAsync()
    {
        File.Delete(_file);
        if (_peer is not null)
        {
            await _peer.DisposeAsync();
        }
    }

    [Fact]
    public async Task a_delay_setting_holds_every_message_on_an_open_stream_at_least_that_long()
    {
        const int Count = 5;
        var delay = TimeSpan.FromMilliseconds(300);
        var faults = new TransportFaults(_file);
        var feedback = new RecordingFeedback();
        await using var transport = Transport(feedback, faults);
        // The stream is open before the fault is on, so that connecting adds nothing to what is measured.
        transport.Send(100, Heartbeat(100));
        await _peer.Sink.WaitForCountAsync(1);
        await File.WriteAllTextAsync(_file, $"delay-ms={delay.TotalMilliseconds:0}", TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => faults.Current is not null, "the switch to read the delay");

        var sent = new Dictionary<ulong, long>();
        for (ulong group = 1; group <= Count; group++)
        {
            sent[group] = Stopwatch.GetTimestamp();
            transport.Send(group, Heartbeat(group));
        }

        await _peer.Sink.WaitForCountAsync(1 + Count);
        foreach (var (group, at) in sent)
        {
            var held = Stopwatch.GetElapsedTime(at, _peer.Sink.FirstArrivals[group]);
            output.WriteLine($"group {group}: arrived {held.TotalMilliseconds:F1} ms after it was sent");
            held.ShouldBeGreaterThanOrEqualTo(delay - TimerSlack, $"group {group}'s message");
        }

        feedback.Reports.ShouldBeEmpty();
    }

    [Fact]
    public async Task a_loss_setting_drops_the_messages_its_draws_pick_and_reports_them_lost()
    {
        const int Count = 200;
        const double Loss = 0.5;
        var seed = Random.Shared.Next();
        output.WriteLine($"seed {seed} (replay: set it in place of Random.Shared.Next())");
        await File.WriteAllTextAsync(_file, $"loss={Loss}", TestContext.Current.CancellationToken);
        var feedback = new RecordingFeedback();
        await using var transport = Transport(feedback, new TransportFaults(_file, new Random(seed)));

        for (ulong group = 1; group <= Count; group++)
        {
            transport.Send(group, Heartbeat(group));
        }

        await Eventually.TrueAsync(() => _peer.Sink.Count + feedback.Unreachables.Count() >= Count,
            $"every message delivered or reported lost (delivered {_peer.Sink.Count}, lost {feedback.Unreachables.Count()}; seed {seed})");
        // Each message sent takes one draw, in order, so the same seed picks the same messages.
        var draws = new Random(seed);
        var expectedLost = Enumerable.Range(1, Count).Select(g => (ulong)g).Where(_ => Draw(draws) < Loss).ToHashSet();
        var lost = feedback.Unreachables.Select(r => r.GroupId).ToHashSet();
        output.WriteLine($"{lost.Count} of {Count} dropped");
        lost.ShouldBe(expectedLost, ignoreOrder: true, $"seed {seed}");
        lost.Count.ShouldBeInRange(1, Count - 1, $"seed {seed}");
        feedback.Unreachables.ShouldAllBe(r => r.PeerId == 2);
        await _peer.Sink.WaitForCountAsync(Count - lost.Count);
        _peer.Sink.Messages.Select(m => m.GroupId).ShouldBe(Enumerable.Range(1, Count).Select(g => (ulong)g).Where(g => !lost.Contains(g)), $"seed {seed}");
    }

    private PeerTransport Transport(RecordingFeedback feedback, TransportFaults faults) =>
        PeerHost.Transport(1, new Dictionary<ulong, Uri> { [2] = _peer.PeerUri }, feedback, options: new PeerTransportOptions
        {
            ReconnectDelay = TimeSpan.FromMilliseconds(50),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
            TestFaults = faults,
        });

    private static Message Heartbeat(ulong group) => new() { Type = MessageType.Heartbeat, From = 1, To = 2, Term = 1, Commit = group };

#pragma warning disable CA5394 // the test replays the switch's own draws
    private static double Draw(Random random) => random.NextDouble();
#pragma warning restore CA5394
}
