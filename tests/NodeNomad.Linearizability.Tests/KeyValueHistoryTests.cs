using static NodeNomad.Linearizability.Tests.Kv;

namespace NodeNomad.Linearizability.Tests;

// Small histories written by hand against NodeNomad's key-value model. Times are arbitrary ticks.
public class KeyValueHistoryTests
{
    [Fact]
    public void a_stale_read_after_a_completed_write_is_not_linearizable()
    {
        Check(
            Put(0, "k", "a", 0, 1),
            Put(0, "k", "b", 2, 3),
            Get(1, "k", "a", 4, 5)).ShouldBe(Verdict.NotLinearizable);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("b")]
    public void a_read_concurrent_with_a_write_may_see_the_value_before_or_after_it(string seen)
    {
        Check(
            Put(0, "k", "a", 0, 1),
            Put(0, "k", "b", 2, 5),
            Get(1, "k", seen, 3, 4)).ShouldBe(Verdict.Linearizable);
    }

    [Fact]
    public void an_operation_returning_exactly_when_another_is_called_counts_as_concurrent_with_it()
    {
        Check(
            Put(0, "k", "a", 0, 2),
            Get(1, "k", null, 2, 3)).ShouldBe(Verdict.Linearizable);
    }

    [Fact]
    public void a_write_of_unknown_outcome_may_explain_a_later_read()
    {
        Check(
            Put(0, "k", "a", 0, 1),
            PutUnanswered(1, "k", "b", 2),
            Get(2, "k", "b", 5, 6)).ShouldBe(Verdict.Linearizable);
    }

    [Fact]
    public void a_write_of_unknown_outcome_whose_value_is_never_seen_may_never_have_happened()
    {
        Check(
            Put(0, "k", "a", 0, 1),
            PutUnanswered(1, "k", "b", 2),
            Get(2, "k", "a", 5, 6),
            Get(2, "k", "a", 7, 8)).ShouldBe(Verdict.Linearizable);
    }

    [Fact]
    public void a_write_of_unknown_outcome_takes_effect_once_and_for_all()
    {
        Check(
            Put(0, "k", "a", 0, 1),
            PutUnanswered(1, "k", "b", 2),
            Get(2, "k", "b", 5, 6),
            Get(2, "k", "a", 7, 8)).ShouldBe(Verdict.NotLinearizable);
    }

    [Fact]
    public void a_write_of_unknown_outcome_cannot_take_effect_before_it_was_called()
    {
        Check(
            Get(0, "k", "b", 0, 1),
            PutUnanswered(1, "k", "b", 2)).ShouldBe(Verdict.NotLinearizable);
    }

    [Fact]
    public void a_read_of_a_key_never_written_finds_it_absent_and_so_does_a_read_after_a_delete()
    {
        Check(
            Get(0, "k", null, 0, 1),
            Put(0, "k", "a", 2, 3),
            Delete(1, "k", 4, 5),
            Get(0, "k", null, 6, 7)).ShouldBe(Verdict.Linearizable);
        Check(
            Put(0, "k", "a", 2, 3),
            Delete(1, "k", 4, 5),
            Get(0, "k", "a", 6, 7)).ShouldBe(Verdict.NotLinearizable);
    }

    [Fact]
    public void a_compare_and_set_succeeds_exactly_when_it_finds_the_expected_value()
    {
        Check(
            Cas(0, "k", null, "a", swapped: true, 0, 1),
            Cas(1, "k", null, "b", swapped: false, 2, 3),
            Cas(1, "k", "a", "c", swapped: true, 4, 5),
            Get(0, "k", "c", 6, 7)).ShouldBe(Verdict.Linearizable);
        Check(
            Put(0, "k", "a", 0, 1),
            Cas(1, "k", "a", "b", swapped: false, 2, 3)).ShouldBe(Verdict.NotLinearizable);
    }

    [Fact]
    public void only_one_of_two_concurrent_compare_and_sets_from_the_same_value_can_succeed()
    {
        Check(
            Put(0, "k", "a", 0, 1),
            Cas(1, "k", "a", "b", swapped: true, 2, 5),
            Cas(2, "k", "a", "c", swapped: true, 3, 6)).ShouldBe(Verdict.NotLinearizable);
        Check(
            Put(0, "k", "a", 0, 1),
            Cas(1, "k", "a", "b", swapped: true, 2, 5),
            Cas(2, "k", "a", "c", swapped: false, 3, 6)).ShouldBe(Verdict.Linearizable);
    }

    [Fact]
    public void keys_are_checked_independently_and_the_failing_one_is_named()
    {
        var result = LinearizabilityChecker.Check(Model, [
            Put(0, "good", "a", 0, 1),
            Get(1, "good", "a", 2, 3),
            Put(0, "bad", "x", 4, 5),
            Get(1, "bad", "y", 6, 7)]);

        result.Verdict.ShouldBe(Verdict.NotLinearizable);
        result.Partitions.ShouldBe(2);
        var violation = result.Violation.ShouldNotBeNull();
        violation.Partition.ShouldBe("key \"bad\"");
        violation.LongestLinearizablePrefix.ShouldBe(["put(\"bad\", \"x\") (client 0, called at 4, answered at 5)"]);
        violation.StateAfterPrefix.ShouldBe("\"x\"");
        violation.NextCandidates.ShouldBe(["get(\"bad\") -> \"y\" (client 1, called at 6, answered at 7): the model rejects it in that state"]);
        result.Message.ShouldContain("Failing partition: key \"bad\" (2 operations).");
    }
}
