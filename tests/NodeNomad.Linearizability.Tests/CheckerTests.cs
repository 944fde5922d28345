using System.Diagnostics;

namespace NodeNomad.Linearizability.Tests;

public class CheckerTests
{
    private static readonly RegisterModel Register = new();

    [Fact]
    public void an_empty_history_is_linearizable()
    {
        var result = LinearizabilityChecker.Check(Register, []);

        result.Verdict.ShouldBe(Verdict.Linearizable);
        result.Operations.ShouldBe(0);
    }

    [Fact]
    public void a_search_too_big_for_its_timeout_ends_with_a_timeout_verdict()
    {
        var result = LinearizabilityChecker.Check(Register, Hopeless(40), TimeSpan.FromMilliseconds(200));

        result.Verdict.ShouldBe(Verdict.Timeout);
        result.PartitionsChecked.ShouldBe(0);
        result.Message.ShouldStartWith("No verdict: the search stopped after");
    }

    [Fact]
    public void a_cancelled_search_ends_with_a_timeout_verdict_without_throwing()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        LinearizabilityChecker.Check(Register, Hopeless(40), cancellationToken: cancel.Token).Verdict.ShouldBe(Verdict.Timeout);
    }

    [Fact]
    public void a_timed_out_file_check_says_so()
    {
        var log = string.Concat(Enumerable.Range(0, 40).Select(i => $"INFO  jepsen.util - {i}\t:invoke\t:write\t{i}\n"))
            + string.Concat(Enumerable.Range(0, 40).Select(i => $"INFO  jepsen.util - {i}\t:ok\t:write\t{i}\n"))
            + "INFO  jepsen.util - 99\t:invoke\t:read\tnil\nINFO  jepsen.util - 99\t:ok\t:read\t-1\n";

        HistoryFile.CheckText(log, TimeSpan.FromMilliseconds(200)).Verdict.ShouldBe(HistoryFileVerdict.Timeout);
    }

    [Fact]
    public void a_long_sequential_history_is_checked_without_recursion()
    {
        var history = new List<Operation<RegisterInput, RegisterOutput>>();
        for (var i = 0L; i < 10_000; i++)
        {
            history.Add(new(0, RegisterInput.Write(i), 4 * i, RegisterOutput.Ok, 4 * i + 1));
            history.Add(new(1, RegisterInput.Read(), 4 * i + 2, RegisterOutput.Read(i), 4 * i + 3));
        }

        LinearizabilityChecker.Check(Register, history).Verdict.ShouldBe(Verdict.Linearizable);
        history[^1] = new(1, RegisterInput.Read(), history[^1].Call, RegisterOutput.Read(0), history[^1].Return);
        var result = LinearizabilityChecker.Check(Register, history);
        result.Verdict.ShouldBe(Verdict.NotLinearizable);
        result.Violation.ShouldNotBeNull().LongestLinearizablePrefix.Count.ShouldBe(19_999);
        result.Message.ShouldContain("the last 10:");
        result.Message.ShouldContain("... 19989 earlier operations");
    }

    [Fact]
    public void an_operation_cannot_return_before_it_was_called()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new Operation<RegisterInput, RegisterOutput>(0, RegisterInput.Read(), 5, RegisterOutput.Read(null), 4));
    }

    [Fact]
    public void a_failure_in_one_partition_stops_the_search_in_the_others()
    {
        // One key that would take forever, and one that fails at once: the verdict comes without the first finishing.
        var history = Hopeless(40)
            .Select(operation => new Operation<NodeNomadKvInput, NodeNomadKvOutput>(
                operation.ClientId,
                operation.Input.Kind == RegisterOperationKind.Write ? NodeNomadKvInput.Put("slow", $"{operation.Input.Value}") : NodeNomadKvInput.Get("slow"),
                operation.Call,
                operation.Input.Kind == RegisterOperationKind.Write ? NodeNomadKvOutput.Ok : NodeNomadKvOutput.Read("never"),
                operation.Return))
            .Append(Kv.Get(0, "fast", "never", 0, 1))
            .ToList();
        var started = Stopwatch.GetTimestamp();

        var result = LinearizabilityChecker.Check(Kv.Model, history, TimeSpan.FromSeconds(30));

        result.Verdict.ShouldBe(Verdict.NotLinearizable);
        result.Violation.ShouldNotBeNull().Partition.ShouldBe("key \"fast\"");
        Stopwatch.GetElapsedTime(started).ShouldBeLessThan(TimeSpan.FromSeconds(10));
    }

    // Writes of 0..n-1, all concurrent, then a read of a value nobody wrote: to prove it wrong the search
    // must try every subset of the writes, 2^n of them.
    private static List<Operation<RegisterInput, RegisterOutput>> Hopeless(int writes)
    {
        var history = Enumerable.Range(0, writes)
            .Select(i => new Operation<RegisterInput, RegisterOutput>(i, RegisterInput.Write(i), i, RegisterOutput.Ok, writes + i))
            .ToList();
        history.Add(new(writes, RegisterInput.Read(), 3 * writes, RegisterOutput.Read(-1), 3 * writes + 1));
        return history;
    }
}
