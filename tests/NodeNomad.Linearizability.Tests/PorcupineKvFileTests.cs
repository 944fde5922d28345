namespace NodeNomad.Linearizability.Tests;

public class PorcupineKvFileTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("c01-ok.txt", HistoryFileVerdict.Linearizable)]
    [InlineData("c01-bad.txt", HistoryFileVerdict.NotLinearizable)]
    [InlineData("c10-ok.txt", HistoryFileVerdict.Linearizable)]
    [InlineData("c10-bad.txt", HistoryFileVerdict.NotLinearizable)]
    [InlineData("c50-ok.txt", HistoryFileVerdict.Linearizable)]
    [InlineData("c50-bad.txt", HistoryFileVerdict.NotLinearizable)]
    public void each_porcupine_history_gets_its_known_verdict(string file, HistoryFileVerdict expected)
    {
        var result = HistoryFile.Check(TestHistories.PorcupineKv(file));

        output.WriteLine(result.Message);
        result.Verdict.ShouldBe(expected, result.Message);
        result.Format.ShouldBe(HistoryFormat.AppendKvEdn);
    }

    [Theory]
    [InlineData("c10-ok.txt", 337)]
    [InlineData("c10-bad.txt", 405)]
    [InlineData("c50-ok.txt", 1712)]
    [InlineData("c50-bad.txt", 2024)]
    public void the_ten_and_fifty_client_histories_are_checked_in_well_under_a_second(string file, int operations)
    {
        var path = TestHistories.PorcupineKv(file);

        var first = HistoryFile.Check(path);
        var again = HistoryFile.Check(path);

        output.WriteLine($"{file}: {first.Elapsed.TotalMilliseconds:0.0} ms the first time in this process, {again.Elapsed.TotalMilliseconds:0.0} ms again; {first.Operations} operations in {first.Partitions} partitions");
        first.Operations.ShouldBe(operations);
        first.Partitions.ShouldBe(10);
        first.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
        again.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void the_bad_ten_client_history_is_explained_by_key_with_a_prefix_and_the_operations_that_cannot_follow()
    {
        using var file = File.OpenText(TestHistories.PorcupineKv("c10-bad.txt"));
        var parsed = AppendKvHistory.Parse(file);

        var result = LinearizabilityChecker.Check(new AppendKvModel(), parsed.Operations);

        output.WriteLine(result.Message);
        var violation = result.Violation.ShouldNotBeNull();
        violation.Partition.ShouldStartWith("key \"");
        violation.LongestLinearizablePrefix.Count.ShouldBeLessThan(violation.PartitionOperations);
        violation.NextCandidates.ShouldNotBeEmpty();
        result.Message.ShouldContain(violation.Partition);
    }
}
