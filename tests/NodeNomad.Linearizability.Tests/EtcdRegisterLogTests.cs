namespace NodeNomad.Linearizability.Tests;

// Register histories in the log format of Jepsen's etcd test, checked as a CLI user would: HistoryFile.CheckText.
public class EtcdRegisterLogTests
{
    [Fact]
    public void a_log_with_other_lines_around_the_operations_is_read_and_checked()
    {
        const string log =
            "INFO  jepsen.core - Running test etcd\n"
            + "INFO  jepsen.util - 0\t:invoke\t:write\t1\n"
            + "INFO  jepsen.util - :nemesis\t:info\t:start\tnil\n"
            + "INFO  jepsen.util - 0\t:ok\t:write\t1\n"
            + "WARN  jepsen.os - something unrelated\n"
            + "INFO  jepsen.util - 1\t:invoke\t:cas\t[1 4]\n"
            + "INFO  jepsen.util - 1\t:ok\t:cas\t[1 4]\n"
            + "INFO  jepsen.util - 2\t:invoke\t:read\tnil\n"
            + "INFO  jepsen.util - 2\t:ok\t:read\t4\n";

        var result = HistoryFile.CheckText(log);

        result.Verdict.ShouldBe(HistoryFileVerdict.Linearizable, result.Message);
        result.Format.ShouldBe(HistoryFormat.EtcdRegisterLog);
        result.Operations.ShouldBe(3);
    }

    [Fact]
    public void reading_nil_after_a_completed_write_is_not_linearizable()
    {
        Verdict(
            "0 :invoke :write 1",
            "0 :ok :write 1",
            "1 :invoke :read nil",
            "1 :ok :read nil").ShouldBe(HistoryFileVerdict.NotLinearizable);
    }

    [Fact]
    public void a_read_of_the_value_a_completed_compare_and_set_replaced_is_not_linearizable()
    {
        Verdict(
            "0 :invoke :write 1",
            "0 :ok :write 1",
            "1 :invoke :cas [1 2]",
            "1 :ok :cas [1 2]",
            "2 :invoke :read nil",
            "2 :ok :read 1").ShouldBe(HistoryFileVerdict.NotLinearizable);
    }

    [Fact]
    public void a_failed_compare_and_set_is_dropped_as_one_that_did_not_happen()
    {
        Verdict(
            "0 :invoke :write 1",
            "0 :ok :write 1",
            "1 :invoke :cas [2 3]",
            "1 :fail :cas [2 3]",
            "2 :invoke :cas [1 3]",
            "2 :fail :cas [1 3]",
            "0 :invoke :read nil",
            "0 :ok :read 1").ShouldBe(HistoryFileVerdict.Linearizable);
    }

    [Fact]
    public void a_failed_read_is_dropped()
    {
        Verdict(
            "0 :invoke :write 1",
            "0 :ok :write 1",
            "1 :invoke :read nil",
            "1 :fail :read :timed-out",
            "1 :invoke :read nil",
            "1 :ok :read 1").ShouldBe(HistoryFileVerdict.Linearizable);
    }

    [Fact]
    public void a_timed_out_compare_and_set_may_take_effect_after_its_process_crashed()
    {
        Verdict(
            "0 :invoke :write 1",
            "0 :ok :write 1",
            "1 :invoke :cas [1 4]",
            "1 :info :cas :timed-out",
            "0 :invoke :read nil",
            "0 :ok :read 1",
            "6 :invoke :read nil",
            "6 :ok :read 4").ShouldBe(HistoryFileVerdict.Linearizable);
    }

    [Fact]
    public void a_timed_out_compare_and_set_may_never_take_effect()
    {
        Verdict(
            "0 :invoke :write 1",
            "0 :ok :write 1",
            "1 :invoke :cas [1 4]",
            "1 :info :cas :timed-out",
            "0 :invoke :read nil",
            "0 :ok :read 1").ShouldBe(HistoryFileVerdict.Linearizable);
    }

    [Fact]
    public void a_process_id_reused_after_info_starts_a_new_operation()
    {
        // Process 1 crashed with its cas in flight and came back under the same id: once anyone has seen 4,
        // the cas has happened, and 1 can never be read again.
        Verdict(
            "0 :invoke :write 1",
            "0 :ok :write 1",
            "1 :invoke :cas [1 4]",
            "1 :info :cas :timed-out",
            "1 :invoke :read nil",
            "1 :ok :read 4",
            "0 :invoke :read nil",
            "0 :ok :read 1").ShouldBe(HistoryFileVerdict.NotLinearizable);
    }

    [Fact]
    public void an_invocation_never_completed_has_an_unknown_outcome()
    {
        Verdict(
            "0 :invoke :write 1",
            "0 :ok :write 1",
            "1 :invoke :write 7",
            "0 :invoke :read nil",
            "0 :ok :read 7",
            "0 :invoke :read nil",
            "0 :ok :read 7").ShouldBe(HistoryFileVerdict.Linearizable);
    }

    [Fact]
    public void a_compare_and_set_from_nil_matches_a_register_never_written()
    {
        Verdict(
            "0 :invoke :cas [nil 3]",
            "0 :ok :cas [nil 3]",
            "1 :invoke :read nil",
            "1 :ok :read 3").ShouldBe(HistoryFileVerdict.Linearizable);
    }

    [Fact]
    public void the_failure_message_shows_operations_as_register_calls_at_their_line_numbers()
    {
        var result = HistoryFile.CheckText(Log(
            "0 :invoke :write 1",
            "0 :ok :write 1",
            "1 :invoke :read nil",
            "1 :ok :read 2"));

        result.Message.ShouldContain("times are line numbers");
        result.Message.ShouldContain("write(1) (client 0, called at 1, answered at 2)");
        result.Message.ShouldContain("read() -> 2 (client 1, called at 3, answered at 4): the model rejects it in that state");
    }

    private static HistoryFileVerdict Verdict(params string[] operations)
    {
        var result = HistoryFile.CheckText(Log(operations));
        result.Format.ShouldBe(HistoryFormat.EtcdRegisterLog, result.Message);
        return result.Verdict;
    }

    // "1 :invoke :cas [1 4]" becomes "INFO  jepsen.util - 1<TAB>:invoke<TAB>:cas<TAB>[1 4]".
    private static string Log(params string[] operations) =>
        string.Concat(operations.Select(operation => "INFO  jepsen.util - " + string.Join('\t', operation.Split(' ', 4)) + "\n"));
}
