using CsCheck;
using static NodeNomad.Linearizability.Tests.Kv;

namespace NodeNomad.Linearizability.Tests;

// A failing NodeNomad test saves its history with NodeNomadKvHistory.Write; re-checking the file must judge
// exactly the history the test judged.
public class NodeNomadHistoryFileTests
{
    private static readonly string[] Keys = ["k", "a/b", "quote\"d", "back\\slash", "new\nline\ttab", "é€😀", "\u0001"];
    private static readonly string[] Values = ["", "v", "x y", "\"", "😀\r\n"];

    [Fact]
    public void a_written_history_reads_back_as_the_same_operations()
    {
        // Random per-client sequences; outcomes need not make sense, as only the text round trip is tested.
        // Replay a failing case with CsCheck_Seed=<seed>, as in RandomRegisterHistoryTests.
        var operation = Gen.Select(Gen.Int[0, 3], Gen.Int[0, Keys.Length - 1], Gen.Int[0, Values.Length], Gen.Int[0, Values.Length], Gen.Int[0, 4], Gen.Int[0, 3], Gen.Int[0, 3]);
        var clients = operation.Array[1, 8].Array[1, 4];

        clients.Sample(
            steps =>
            {
                var history = Build(steps);
                var text = new StringWriter();
                NodeNomadKvHistory.Write(text, history);

                var parsed = NodeNomadKvHistory.Parse(new StringReader(text.ToString()));

                parsed.Error.ShouldBeNull(text.ToString());
                parsed.TimesAreLineNumbers.ShouldBeFalse();
                Sorted(parsed.Operations).ShouldBe(Sorted(history), text.ToString());
            },
            iter: 300);
    }

    [Fact]
    public void the_file_starts_with_the_header_and_holds_one_event_per_line_in_time_order()
    {
        var text = new StringWriter();
        NodeNomadKvHistory.Write(text, [
            Get(1, "k", null, 3, 9),
            Put(0, "k", "v", 1, 4),
            Cas(0, "k", null, "w", swapped: false, 5, 6),
            PutUnanswered(0, "k", "z", 7),
            Delete(0, "k", 8, 10)]);

        text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldBe([
            ";; nodenomad-kv history: NodeNomad key-value operations, one Jepsen event per line, at the :time the test recorded.",
            ";; get answers nil for an absent key; :fail on a cas means it found another value; :info means the outcome is unknown.",
            "{:process 0, :type :invoke, :f :put, :key \"k\", :value \"v\", :time 1}",
            "{:process 1, :type :invoke, :f :get, :key \"k\", :value nil, :time 3}",
            "{:process 0, :type :ok, :f :put, :key \"k\", :value \"v\", :time 4}",
            "{:process 0, :type :invoke, :f :cas, :key \"k\", :value [nil \"w\"], :time 5}",
            "{:process 0, :type :fail, :f :cas, :key \"k\", :value [nil \"w\"], :time 6}",
            "{:process 0, :type :invoke, :f :put, :key \"k\", :value \"z\", :time 7}",
            "{:process 0, :type :info, :f :put, :key \"k\", :value \"z\", :time 8}",
            "{:process 0, :type :invoke, :f :delete, :key \"k\", :value nil, :time 8}",
            "{:process 1, :type :ok, :f :get, :key \"k\", :value nil, :time 9}",
            "{:process 0, :type :ok, :f :delete, :key \"k\", :value nil, :time 10}",
        ]);
    }

    [Theory]
    [InlineData("a", HistoryFileVerdict.Linearizable)]
    [InlineData("b", HistoryFileVerdict.Linearizable)]
    [InlineData("c", HistoryFileVerdict.NotLinearizable)]
    public void a_saved_history_rechecked_from_its_file_gets_the_verdict_the_test_got(string read, HistoryFileVerdict expected)
    {
        Operation<NodeNomadKvInput, NodeNomadKvOutput>[] history = [
            Put(0, "k", "a", 0, 10),
            Put(1, "k", "b", 10, 20),
            PutUnanswered(2, "k", "c", 30),
            Get(2, "k", read, 15, 25),
            Get(3, "other", null, 0, 1)];
        var path = Path.Combine(Path.GetTempPath(), $"nodenomad-history-{Guid.NewGuid():N}.edn");
        try
        {
            NodeNomadKvHistory.Write(path, history);

            var result = HistoryFile.Check(path);

            result.Format.ShouldBe(HistoryFormat.NodeNomadKvEdn);
            result.Verdict.ShouldBe(expected, result.Message);
            result.Verdict.ToString().ShouldBe(LinearizabilityChecker.Check(Model, history).Verdict.ToString());
            result.Operations.ShouldBe(history.Length);
            result.Partitions.ShouldBe(2);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void a_client_with_two_operations_open_at_once_cannot_be_written()
    {
        Should.Throw<ArgumentException>(() => NodeNomadKvHistory.Write(new StringWriter(), [Put(0, "k", "a", 0, 5), Get(0, "k", "a", 3, 4)]))
            .Message.ShouldContain("give each concurrent actor its own client id");
    }

    [Fact]
    public void a_client_may_go_on_after_an_operation_of_unknown_outcome()
    {
        var text = new StringWriter();
        NodeNomadKvHistory.Write(text, [PutUnanswered(0, "k", "a", 0), Get(0, "k", "a", 5, 6)]);

        HistoryFile.CheckText(text.ToString()).Verdict.ShouldBe(HistoryFileVerdict.Linearizable);
    }

    private static List<Operation<NodeNomadKvInput, NodeNomadKvOutput>> Build((int Kind, int Key, int Value, int Other, int Gap, int Length, int Outcome)[][] clients)
    {
        var history = new List<Operation<NodeNomadKvInput, NodeNomadKvOutput>>();
        for (var client = 0; client < clients.Length; client++)
        {
            var time = 0L;
            foreach (var (kind, key, value, other, gap, length, outcome) in clients[client])
            {
                var call = time + gap + 1;
                var written = value < Values.Length ? Values[value] : "w";
                var found = other < Values.Length ? Values[other] : null;
                var input = kind switch
                {
                    0 => NodeNomadKvInput.Get(Keys[key]),
                    1 => NodeNomadKvInput.Put(Keys[key], written),
                    2 => NodeNomadKvInput.Delete(Keys[key]),
                    _ => NodeNomadKvInput.CompareAndSet(Keys[key], found, written),
                };
                var answer = kind switch
                {
                    0 => NodeNomadKvOutput.Read(found),
                    3 when outcome == 1 => NodeNomadKvOutput.CompareFailed,
                    _ => NodeNomadKvOutput.Ok,
                };
                history.Add(outcome == 0
                    ? new Operation<NodeNomadKvInput, NodeNomadKvOutput>(client, input, call)
                    : new Operation<NodeNomadKvInput, NodeNomadKvOutput>(client, input, call, answer, call + length));
                time = call + length;
            }
        }

        return history;
    }

    private static List<Operation<NodeNomadKvInput, NodeNomadKvOutput>> Sorted(IEnumerable<Operation<NodeNomadKvInput, NodeNomadKvOutput>> history) =>
        [.. history.OrderBy(operation => operation.ClientId).ThenBy(operation => operation.Call).ThenBy(operation => operation.Return)];
}
