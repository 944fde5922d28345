using NodeNomad.Raft;

namespace NodeNomad.Node.Tests.Transport;

/// <summary>
/// A stream that carries nothing for a while (a quiet follower) stays open: no minimum data rate, no request
/// timeout, keep-alive pings answered.
/// </summary>
public sealed class IdleStreamTests
{
    [Fact]
    public async Task a_stream_idle_for_longer_than_the_timeouts_stays_open()
    {
        await using var b = await PeerHost.StartAsync();
        using var meterOfB = new TransportMeter(b.Meters);
        var feedback = new RecordingFeedback();
        await using var fromA = PeerHost.Transport(1, new Dictionary<ulong, Uri> { [2] = b.PeerUri }, feedback, options: new()
        {
            AcceptTimeout = TimeSpan.FromSeconds(2),
            KeepAlivePingDelay = TimeSpan.FromSeconds(1),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(1),
        });
        fromA.Send(1, new Message { Type = MessageType.Heartbeat, From = 1, To = 2, Commit = 1 });
        await b.Sink.WaitForCountAsync(1);

        // Longer than Kestrel's data-rate grace period (5 s) and the sender's accept timeout, with pings meanwhile.
        await Task.Delay(TimeSpan.FromSeconds(7), TestContext.Current.CancellationToken);
        fromA.Send(1, new Message { Type = MessageType.Heartbeat, From = 1, To = 2, Commit = 2 });

        await b.Sink.WaitForCountAsync(2);
        feedback.Reports.ShouldBeEmpty();
        meterOfB["streams.accepted"].ShouldBe(1);
    }
}
