namespace NodeNomad.Simulation.Tests;

public class EventAgendaTests
{
    [Fact]
    public void events_run_in_time_order_and_ties_in_the_order_they_were_scheduled()
    {
        var queue = new EventAgenda();
        var ran = new List<string>();
        queue.At(5, () => ran.Add("b"));
        queue.At(1, () => ran.Add("a"));
        queue.At(5, () => ran.Add("c"));
        queue.At(3, () => queue.After(2, () => ran.Add("d")));

        while (queue.RunNext(long.MaxValue))
        {
        }

        ran.ShouldBe(["a", "b", "c", "d"]);
        queue.Now.ShouldBe(5);
        queue.Processed.ShouldBe(5);
    }

    [Fact]
    public void nothing_due_after_the_deadline_runs()
    {
        var queue = new EventAgenda();
        var ran = false;
        queue.At(10, () => ran = true);

        queue.RunNext(until: 9).ShouldBeFalse();

        ran.ShouldBeFalse();
        queue.Count.ShouldBe(1);
    }

    [Fact]
    public void the_past_cannot_be_scheduled()
    {
        var queue = new EventAgenda();
        queue.At(10, () => { });
        queue.RunNext(long.MaxValue);

        Should.Throw<ArgumentOutOfRangeException>(() => queue.At(9, () => { }));
    }
}
