using CsCheck;

namespace NodeNomad.Linearizability.Tests;

// The append model lets the search drop a partial linearization as soon as a pending get's value no longer starts
// with the state (Model.Outgrown). That pruning must never change a verdict: here random histories of one key (gets,
// puts, appends of unique tokens, some clients crashing) are judged with it and without it, and must get the same
// verdict. Half the cases are linearizable by construction; in the other half one get answers what another get saw,
// which is sometimes still linearizable and often not, so both verdicts are exercised.
//
// On failure CsCheck shrinks the case, prints it and a seed. Replay that exact case with
//   CsCheck_Seed=<seed> dotnet test --project tests/NodeNomad.Linearizability.Tests --filter-class "*RandomAppendHistoryTests"
public class RandomAppendHistoryTests(ITestOutputHelper output)
{
    private static readonly AppendKvModel Pruning = new();
    private static readonly PlainAppendKvModel Plain = new();

    private static readonly Gen<(int Clients, int[] Choices, int Swapped)> Cases =
        Gen.Select(Gen.Int[1, 5], Gen.Int[0, 1_000_000].Array[0, 60], Gen.Int[0, 1_000]);

    [Fact]
    public void pruning_on_a_gets_value_never_changes_the_verdict()
    {
        var verdicts = new int[2];
        Cases.Sample(
            (clients, choices, swapped) =>
            {
                var history = Simulate(clients, choices);
                if (swapped % 2 == 1)
                {
                    history = Swap(history, swapped / 2);
                }

                var pruned = LinearizabilityChecker.Check(Pruning, history);
                var plain = LinearizabilityChecker.Check(Plain, history);
                pruned.Verdict.ShouldBe(plain.Verdict, $"with pruning: {pruned.Message}\nwithout: {plain.Message}");
                Interlocked.Increment(ref verdicts[pruned.Verdict == Verdict.Linearizable ? 0 : 1]);
            },
            iter: 2_000,
            print: sample => Describe(Simulate(sample.Item1, sample.Item2)));

        output.WriteLine($"{verdicts[0]} linearizable and {verdicts[1]} not linearizable histories got the same verdict both ways");
        verdicts[1].ShouldBeGreaterThan(0, "some cases are not linearizable, so the pruning was exercised where it matters");
    }

    /// <summary>One get answers what another get (with a different answer) saw; the history is unchanged when no two gets differ.</summary>
    private static List<Operation<AppendKvInput, string>> Swap(List<Operation<AppendKvInput, string>> history, int pick)
    {
        var gets = Enumerable.Range(0, history.Count)
            .Where(i => history[i].Input.Kind == AppendKvOperationKind.Get && !history[i].IsOutcomeUnknown)
            .ToList();
        var target = gets[pick % gets.Count];
        var other = gets.FirstOrDefault(i => history[i].Output != history[target].Output, -1);
        if (other < 0)
        {
            return history;
        }

        var changed = history.ToList();
        var read = history[target];
        changed[target] = new Operation<AppendKvInput, string>(read.ClientId, read.Input, read.Call, history[other].Output!, read.Return);
        return changed;
    }

    private enum Phase
    {
        Idle,
        Called,
        TookEffect,
    }

    /// <summary>
    /// Runs the choices against one real value: at each tick one client calls, has its operation take effect, or
    /// returns; sometimes it crashes instead, leaving an operation of unknown outcome. Ends with a get after all.
    /// </summary>
    private static List<Operation<AppendKvInput, string>> Simulate(int clients, int[] choices)
    {
        var value = "";
        var time = 0L;
        var token = 0;
        var history = new List<Operation<AppendKvInput, string>>();
        var phase = new Phase[clients];
        var input = new AppendKvInput[clients];
        var called = new long[clients];
        var answer = new string[clients];

        foreach (var choice in choices)
        {
            time++;
            var client = choice % clients;
            var roll = choice / clients;
            var crash = roll % 10 == 0;
            switch (phase[client])
            {
                case Phase.Idle:
                    token++;
                    input[client] = (roll % 5) switch
                    {
                        0 or 1 => AppendKvInput.Get("k"),
                        2 => AppendKvInput.Put("k", $"p{token}."),
                        _ => AppendKvInput.Append("k", $"a{token}."),
                    };
                    called[client] = time;
                    phase[client] = Phase.Called;
                    break;
                case Phase.Called or Phase.TookEffect when crash:
                    // Crashed before or after the operation reached the value: its outcome is unknown.
                    history.Add(new Operation<AppendKvInput, string>(client, input[client], called[client]));
                    phase[client] = Phase.Idle;
                    break;
                case Phase.Called:
                    answer[client] = Apply(ref value, input[client]);
                    phase[client] = Phase.TookEffect;
                    break;
                case Phase.TookEffect:
                    history.Add(new Operation<AppendKvInput, string>(client, input[client], called[client], answer[client], time));
                    phase[client] = Phase.Idle;
                    break;
            }
        }

        for (var client = 0; client < clients; client++)
        {
            if (phase[client] == Phase.Called)
            {
                answer[client] = Apply(ref value, input[client]);
                phase[client] = Phase.TookEffect;
            }

            if (phase[client] == Phase.TookEffect)
            {
                time++;
                history.Add(new Operation<AppendKvInput, string>(client, input[client], called[client], answer[client], time));
            }
        }

        history.Add(new Operation<AppendKvInput, string>(0, AppendKvInput.Get("k"), time + 1, value, time + 2));
        return history;
    }

    private static string Apply(ref string value, AppendKvInput input)
    {
        switch (input.Kind)
        {
            case AppendKvOperationKind.Put:
                value = input.Value;
                return "";
            case AppendKvOperationKind.Append:
                value += input.Value;
                return "";
            default:
                return value;
        }
    }

    private static string Describe(List<Operation<AppendKvInput, string>> history) =>
        string.Join(Environment.NewLine, history.Select(operation =>
            $"client {operation.ClientId} [{operation.Call}, {(operation.IsOutcomeUnknown ? "?" : operation.Return)}] "
            + (operation.IsOutcomeUnknown ? Pruning.DescribeOperation(operation.Input) : Pruning.DescribeOperation(operation.Input, operation.Output!))));

    /// <summary>The same store without the hint that appends only grow a value: the search prunes nothing on a get's value.</summary>
    private sealed class PlainAppendKvModel : Model<string, AppendKvInput, string>
    {
        public override string Init() => Pruning.Init();

        public override (bool Ok, string State) Step(string state, AppendKvInput input, string output) => Pruning.Step(state, input, output);

        public override string StepUnobserved(string state, AppendKvInput input) => Pruning.StepUnobserved(state, input);

        public override bool IsReadOnly(AppendKvInput input) => Pruning.IsReadOnly(input);

        public override IEqualityComparer<string> States => Pruning.States;
    }
}
