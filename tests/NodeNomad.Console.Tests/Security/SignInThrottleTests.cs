using System.Net;
using NodeNomad.Console.Security;

namespace NodeNomad.Console.Tests.Security;

public sealed class SignInThrottleTests
{
    private static readonly IPAddress Guesser = IPAddress.Parse("192.0.2.7");
    private static readonly IPAddress Operator = IPAddress.Parse("192.0.2.8");

    [Fact]
    public void five_wrong_passwords_within_the_window_lock_the_address_until_the_first_is_a_window_old()
    {
        var clock = new ManualClock();
        var throttle = new SignInThrottle(clock);
        for (var i = 1; i < SignInThrottle.MaxFailures; i++)
        {
            throttle.Failed(Guesser).ShouldBe(TimeSpan.Zero, $"failure {i}");
            clock.Advance(TimeSpan.FromSeconds(10));
        }

        throttle.Failed(Guesser).ShouldBe(SignInThrottle.Window - TimeSpan.FromSeconds(40));
        throttle.LockedFor(Guesser).ShouldBe(SignInThrottle.Window - TimeSpan.FromSeconds(40));
        throttle.LockedFor(Operator).ShouldBe(TimeSpan.Zero, "another address is not locked");

        clock.Advance(SignInThrottle.Window - TimeSpan.FromSeconds(41));
        throttle.LockedFor(Guesser).ShouldBe(TimeSpan.FromSeconds(1));
        clock.Advance(TimeSpan.FromSeconds(1));
        throttle.LockedFor(Guesser).ShouldBe(TimeSpan.Zero, "unlocked once the first failure is a window old");
    }

    [Fact]
    public void failures_spread_wider_than_the_window_never_lock()
    {
        var clock = new ManualClock();
        var throttle = new SignInThrottle(clock);
        for (var i = 0; i < 20; i++)
        {
            throttle.Failed(Guesser).ShouldBe(TimeSpan.Zero, $"failure {i}");
            clock.Advance(SignInThrottle.Window / (SignInThrottle.MaxFailures - 1));
        }
    }

    [Fact]
    public void signing_in_forgets_the_failures_of_the_address()
    {
        var throttle = new SignInThrottle(new ManualClock());
        for (var i = 1; i < SignInThrottle.MaxFailures; i++)
        {
            throttle.Failed(Operator);
        }

        throttle.Succeeded(Operator);

        throttle.Failed(Operator).ShouldBe(TimeSpan.Zero);
    }
}
