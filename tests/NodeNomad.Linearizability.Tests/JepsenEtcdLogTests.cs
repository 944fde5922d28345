namespace NodeNomad.Linearizability.Tests;

/// <summary>
/// The logs of Jepsen's etcd test kept in <c>tests/fixtures/linearizability/jepsen-etcd</c>, each with the verdict
/// Porcupine's own tests give it. Logs 000–099 separate their fields with tabs, 100–102 with runs of spaces.
/// </summary>
public class JepsenEtcdLogTests(ITestOutputHelper output)
{
    private static readonly int[] Linearizable = [2, 5, 7, 18, 25, 31, 38, 45, 48, 49, 51, 53, 56, 67, 75, 76, 80, 87, 92, 98, 100, 101, 102];

    public static TheoryData<int> Logs => [.. Enumerable.Range(0, 103).Where(n => n != 95)];

    [Theory]
    [MemberData(nameof(Logs))]
    public void each_jepsen_etcd_log_gets_the_verdict_porcupine_gives_it(int number)
    {
        var file = TestHistories.JepsenEtcd($"etcd_{number:D3}.log");
        var result = HistoryFile.Check(file, TimeSpan.FromSeconds(60));

        output.WriteLine(result.Message);
        result.Format.ShouldBe(HistoryFormat.EtcdRegisterLog);
        result.Verdict.ShouldBe(Linearizable.Contains(number) ? HistoryFileVerdict.Linearizable : HistoryFileVerdict.NotLinearizable, result.Message);
    }

    [Fact]
    public void a_log_whose_fields_are_separated_by_runs_of_spaces_reads_as_the_same_history_as_with_tabs()
    {
        const string WithTabs = "INFO  jepsen.util - 1\t:invoke\t:cas\t[1 2]\nINFO  jepsen.util - 1\t:ok\t:cas\t[1 2]\nINFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:ok\t:read\t2\n";
        const string WithSpaces = "INFO  jepsen.util - 1   :invoke :cas    [1 2]\nINFO  jepsen.util - 1   :ok     :cas    [1 2]\nINFO  jepsen.util - 0   :invoke :read   nil\nINFO  jepsen.util - 0   :ok     :read   2\nINFO  jepsen.util - Relative time begins now\n";

        var tabs = EtcdRegisterLog.Parse(new StringReader(WithTabs));
        var spaces = EtcdRegisterLog.Parse(new StringReader(WithSpaces));

        spaces.Error.ShouldBeNull();
        spaces.Operations.Select(o => (o.ClientId, o.Input, o.Output)).ShouldBe(tabs.Operations.Select(o => (o.ClientId, o.Input, o.Output)));
    }
}
