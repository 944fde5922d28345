namespace NodeNomad.Linearizability.Tests;

public class ParseErrorTests
{
    [Theory]
    [InlineData("{:process 0, :type :invoke, :f :get, :key \"k\", :value nil", 2, "'}' missing")]
    [InlineData("{:process 1, :type :invoke, :f :incr, :key \"k\", :value 1}", 2, "unknown :f :incr")]
    [InlineData("{:process 0, :type :begin, :f :get, :key \"k\", :value nil}", 2, "unknown :type :begin")]
    [InlineData("{:process 1, :type :invoke, :f :put, :key \"k\", :value 3}", 2, "expected a string value to put, found 3")]
    [InlineData("{:process 0, :type :invoke, :f :get, :key \"k\", :value nil, :extra}", 2, "unexpected '}'")]
    [InlineData("{:type :invoke, :f :get, :key \"k\", :value nil}", 2, "no :process")]
    [InlineData("{:process 1, :type :ok, :f :get, :key \"k\", :value \"\"}", 2, "process 1 completes :get (:ok) but has no operation open")]
    [InlineData("{:process 0, :type :invoke, :f :get, :key \"k\", :value nil}", 2, "process 0 invokes :get while its :put from line 1 has not completed")]
    [InlineData("{:process 0, :type :ok, :f :get, :key \"k\", :value \"\"}", 2, "process 0 completes :get, but the operation it has open (line 1) is :put")]
    [InlineData("{:process 0, :type :ok, :f :put, :key \"j\", :value \"v\"}", 2, "completes key \"j\", but the operation it has open (line 1) is on key \"k\"")]
    [InlineData("{:process 0, :type :ok, :f :put, :key \"k\", :value \"v\"} junk", 2, "unexpected text after the value")]
    [InlineData("(:process 0)", 2, "expected an EDN map")]
    [InlineData("{:process 0, :type :ok, :f :put, :key \"k\", :value \"v\\q\"}", 2, "unknown escape \\q")]
    public void a_malformed_edn_history_is_reported_with_the_line_and_the_problem(string secondLine, int line, string problem)
    {
        var text = "{:process 0, :type :invoke, :f :put, :key \"k\", :value \"v\"}\n" + secondLine + "\n";

        var parsed = AppendKvHistory.Parse(new StringReader(text));

        var error = parsed.Error.ShouldNotBeNull();
        error.Line.ShouldBe(line);
        error.Reason.ShouldContain(problem);
        parsed.Operations.ShouldBeEmpty();
    }

    [Fact]
    public void a_get_answering_nil_in_a_porcupine_history_points_to_the_nodenomad_header()
    {
        var parsed = AppendKvHistory.Parse(new StringReader(
            "{:process 0, :type :invoke, :f :get, :key \"k\", :value nil}\n{:process 0, :type :ok, :f :get, :key \"k\", :value nil}"));

        parsed.Error.ShouldNotBeNull().Reason.ShouldContain(NodeNomadKvHistory.Header);
    }

    [Fact]
    public void mixing_events_with_and_without_time_is_an_error_at_the_first_odd_line()
    {
        var parsed = NodeNomadKvHistory.Parse(new StringReader(
            """
            ;; comment
            {:process 0, :type :invoke, :f :get, :key "k", :value nil, :time 5}

            {:process 0, :type :ok, :f :get, :key "k", :value nil}
            """));

        parsed.Error.ShouldNotBeNull().ToString().ShouldBe("line 4: this event has no :time, but earlier ones do: either every event has a :time or none has");
    }

    [Fact]
    public void a_completion_timed_before_its_invocation_is_an_error()
    {
        var parsed = NodeNomadKvHistory.Parse(new StringReader(
            """
            {:process 0, :type :invoke, :f :get, :key "k", :value nil, :time 5}
            {:process 0, :type :ok, :f :get, :key "k", :value nil, :time 4}
            """));

        parsed.Error.ShouldNotBeNull().ToString().ShouldBe("line 2: the completion's :time 4 is before its invocation's, 5 (line 1)");
    }

    [Theory]
    [InlineData("INFO  jepsen.util - 1\t:invoke\t:write\tfoo", "unsupported value 'foo'")]
    [InlineData("INFO  jepsen.util - 1\t:invoke\t:write\t[1 2]", "expected an integer to write, found [1 2]")]
    [InlineData("INFO  jepsen.util - 1\t:invoke\t:cas\t[1]", "expected a cas value [old new] of integers, found [1]")]
    [InlineData("INFO  jepsen.util - 0\t:invoke\t:incr\t1", "unknown operation ':incr'")]
    [InlineData("INFO  jepsen.util - 0\t:start\t:read\tnil", "unknown type ':start'")]
    [InlineData("INFO  jepsen.util - x\t:invoke\t:read\tnil", "expected a process number as the first field, found 'x'")]
    [InlineData("INFO  jepsen.util - 0\t:invoke\t:read", "expected four fields")]
    [InlineData("INFO  jepsen.util - 1\t:ok\t:read\t3", "process 1 completes :read (:ok) but has no operation open")]
    [InlineData("INFO  jepsen.util - 0\t:ok\t:read\t[3]", "expected a read to return an integer or nil, found [3]")]
    public void a_malformed_etcd_log_line_is_reported_with_its_line_number(string badLine, string problem)
    {
        var log = "INFO  jepsen.core - starting\nINFO  jepsen.util - 0\t:invoke\t:read\tnil\n" + badLine + "\n";

        var parsed = EtcdRegisterLog.Parse(new StringReader(log));

        var error = parsed.Error.ShouldNotBeNull();
        error.Line.ShouldBe(3);
        error.Reason.ShouldContain(problem);
    }

    [Fact]
    public void values_nested_absurdly_deep_are_an_error_not_a_stack_overflow()
    {
        var line = "{:process 0, :type :invoke, :f :get, :key \"k\", :value " + new string('[', 100_000) + "}";

        AppendKvHistory.Parse(new StringReader(line)).Error.ShouldNotBeNull().Reason.ShouldContain("nested more than");
    }
}
