using NodeNomad.Node.Snapshots;

namespace NodeNomad.Node.Tests.Snapshots;

public sealed class SnapshotBandwidthTests
{
    [Fact]
    public void without_a_limit_every_chunk_goes_at_once()
    {
        var bandwidth = new SnapshotBandwidth(0, new SteppedClock());
        for (var i = 0; i < 1000; i++)
        {
            bandwidth.TryTake(1024 * 1024, out var wait).ShouldBeTrue();
            wait.ShouldBe(TimeSpan.Zero);
        }
    }

    [Fact]
    public void a_limited_sender_moves_no_more_than_the_rate_over_time()
    {
        var clock = new SteppedClock();
        const int rate = 1024 * 1024;
        const int chunk = 64 * 1024;
        var bandwidth = new SnapshotBandwidth(rate, clock);

        // Ten simulated seconds of a sender that sends whenever it may and otherwise waits as long as it is told.
        long sent = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (bandwidth.TryTake(chunk, out var wait))
            {
                sent += chunk;
            }
            else
            {
                wait.ShouldBeGreaterThan(TimeSpan.Zero);
                clock.Advance(wait);
            }
        }

        // At most the rate plus the bucket's burst (a tenth of a second, at least 64 KiB), and close to the rate.
        sent.ShouldBeLessThanOrEqualTo((10L * rate) + Math.Max(64 * 1024, rate / 10) + chunk);
        sent.ShouldBeGreaterThan(9L * rate);
    }

    [Fact]
    public void a_chunk_larger_than_the_bucket_still_goes_once_the_bucket_is_full()
    {
        var clock = new SteppedClock();
        var bandwidth = new SnapshotBandwidth(100 * 1024, clock);
        bandwidth.TryTake(4 * 1024 * 1024, out var wait).ShouldBeFalse();
        clock.Advance(wait);
        bandwidth.TryTake(4 * 1024 * 1024, out _).ShouldBeTrue();
    }

    [Fact]
    public void the_limit_can_change_while_running_and_is_never_negative()
    {
        var clock = new SteppedClock();
        var bandwidth = new SnapshotBandwidth(1024, clock);
        bandwidth.TryTake(1024 * 1024, out _).ShouldBeFalse();
        bandwidth.BytesPerSecond = 0;
        bandwidth.TryTake(1024 * 1024, out _).ShouldBeTrue();
        Should.Throw<ArgumentOutOfRangeException>(() => bandwidth.BytesPerSecond = -1);
        Should.Throw<ArgumentOutOfRangeException>(() => new SnapshotBandwidth(-5));
    }

    /// <summary>A clock that moves only when told.</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks;

        public TimeSpan Elapsed => TimeSpan.FromTicks(_ticks);

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
