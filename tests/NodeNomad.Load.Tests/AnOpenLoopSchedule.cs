using NodeNomad.Load.Scenarios;

namespace NodeNomad.Load.Tests;

public sealed class AnOpenLoopSchedule
{
    [Fact]
    public void a_constant_rate_spaces_operations_evenly()
    {
        var schedule = new OpenLoopSchedule(200, 200, TimeSpan.FromSeconds(3));

        schedule.Count.ShouldBe(600);
        schedule.DueAt(0).ShouldBe(TimeSpan.Zero);
        schedule.DueAt(1)!.Value.TotalMilliseconds.ShouldBe(5, tolerance: 1e-6);
        schedule.DueAt(599)!.Value.TotalSeconds.ShouldBe(2.995, tolerance: 1e-6);
        schedule.DueAt(600).ShouldBeNull();
    }

    [Fact]
    public void a_ramp_is_due_faster_and_faster_and_ends_within_its_phase()
    {
        var schedule = new OpenLoopSchedule(100, 400, TimeSpan.FromSeconds(10));

        schedule.Count.ShouldBe(2500);
        var due = Enumerable.Range(0, (int)schedule.Count).Select(n => schedule.DueAt(n)!.Value.TotalSeconds).ToArray();
        due.ShouldBeInOrder(SortDirection.Ascending);
        due[^1].ShouldBeLessThan(10);
        // Gaps start near 1/100 s and end near 1/400 s.
        (due[1] - due[0]).ShouldBe(0.01, tolerance: 0.0005);
        (due[^1] - due[^2]).ShouldBe(0.0025, tolerance: 0.0005);
        // Half the time has passed when r0·t + (r1 − r0)·t²/(2D) operations are due: 100·5 + 300·25/20 = 875.
        schedule.DueAt(875)!.Value.TotalSeconds.ShouldBe(5, tolerance: 1e-6);
    }
}
