using CsCheck;

namespace NodeNomad.Linearizability.Tests;

public class HistoryFileTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("nodenomad-history-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void a_missing_file_is_unreadable_and_the_message_names_it()
    {
        var path = Path.Combine(directory, "missing.txt");

        var result = HistoryFile.Check(path);

        result.Verdict.ShouldBe(HistoryFileVerdict.Unreadable);
        result.Format.ShouldBeNull();
        result.Message.ShouldStartWith($"Unreadable: cannot read {path}");
    }

    [Fact]
    public void a_directory_is_unreadable()
    {
        HistoryFile.Check(directory).Verdict.ShouldBe(HistoryFileVerdict.Unreadable);
    }

    [Fact]
    public void an_empty_file_is_unreadable()
    {
        var path = Path.Combine(directory, "empty.txt");
        File.WriteAllText(path, "\n  \n");

        HistoryFile.Check(path).Message.ShouldBe("Unreadable: the file is empty");
    }

    [Fact]
    public void a_file_in_no_known_format_is_unreadable_and_the_message_lists_the_formats()
    {
        var result = HistoryFile.CheckText("time,client,op\n1,0,put\n");

        result.Verdict.ShouldBe(HistoryFileVerdict.Unreadable);
        result.Message.ShouldContain("not a history format this checker knows");
        result.Message.ShouldContain(NodeNomadKvHistory.Header);
    }

    [Fact]
    public void a_malformed_file_is_unreadable_with_its_format_and_line()
    {
        var path = Path.Combine(directory, "bad.edn");
        File.WriteAllText(path, "{:process 0, :type :invoke, :f :get, :key \"k\", :value nil}\n{:process 0, :type :ok\n");

        var result = HistoryFile.Check(path);

        result.Verdict.ShouldBe(HistoryFileVerdict.Unreadable);
        result.Format.ShouldBe(HistoryFormat.AppendKvEdn);
        result.Message.ShouldBe("Unreadable: Jepsen key-value history (get/put/append), line 2: the map is not closed: '}' missing");
    }

    [Fact]
    public void a_file_is_checked_with_the_counts_the_time_and_a_message()
    {
        var path = Path.Combine(directory, "ok.edn");
        File.WriteAllText(path,
            """
            {:process 0, :type :invoke, :f :put, :key "a", :value "1"}
            {:process 1, :type :invoke, :f :append, :key "b", :value "2"}
            {:process 0, :type :ok, :f :put, :key "a", :value "1"}
            {:process 1, :type :ok, :f :append, :key "b", :value "2"}
            {:process 0, :type :invoke, :f :get, :key "b", :value nil}
            {:process 0, :type :ok, :f :get, :key "b", :value "2"}
            """);

        var result = HistoryFile.Check(path);

        result.Verdict.ShouldBe(HistoryFileVerdict.Linearizable);
        result.Operations.ShouldBe(3);
        result.Partitions.ShouldBe(2);
        result.Elapsed.ShouldBeGreaterThan(TimeSpan.Zero);
        result.Message.ShouldStartWith("Jepsen key-value history (get/put/append) (times are line numbers). Linearizable: 3 operations in 2 partitions");
    }

    [Fact]
    public void any_text_at_all_gives_a_result_never_an_exception()
    {
        // Lines built from the characters the formats care about, so that parsing gets some way before failing.
        var line = Gen.OneOf(
            Gen.Const("{:process 0, :type :invoke, :f :get, :key \"k\", :value nil}"),
            Gen.Const("{:process 0, :type :ok, :f :get, :key \"k\", :value \"\"}"),
            Gen.Const("INFO  jepsen.util - 0\t:invoke\t:cas\t[1 2]"),
            Gen.Const("INFO  jepsen.util - 0\t:ok\t:cas\t[1 2]"),
            Gen.String[Gen.Char["{}[]():;\"\\ ,\tabcdefknopqrstuvx0123456789-"], 0, 40]);
        var text = line.Array[0, 12].Select(lines => string.Join('\n', lines));

        text.Sample(history => HistoryFile.CheckText(history).ShouldNotBeNull(), iter: 2_000);
    }
}
