using CsCheck;

namespace NodeNomad.Linearizability.Tests;

// Histories made by running random concurrent operations against a real sequential register: each operation
// takes effect at one instant between its call and its return, so the history is linearizable by construction.
// Changing one read to a value never written must then make it not linearizable.
//
// On failure CsCheck shrinks the case, prints it and a seed. Replay that exact case with
//   CsCheck_Seed=<seed> dotnet test --project tests/NodeNomad.Linearizability.Tests --filter-class "*RandomRegisterHistoryTests"
// or, while debugging, by passing seed: "<seed>" to Sample below.
public class RandomRegisterHistoryTests
{
    private const long NeverWritten = 99;

    private static readonly RegisterModel Model = new();

    // Clients, then the scheduler's choices: each advances one client by one step (call, take effect, return).
    private static readonly Gen<(int Clients, int[] Choices, int Corrupted)> Cases =
        Gen.Select(Gen.Int[1, 5], Gen.Int[0, 1_000_000].Array[0, 150], Gen.Int[0, 1_000]);

    [Fact]
    public void histories_of_a_real_register_are_linearizable_and_become_not_when_a_read_returns_a_value_never_written()
    {
        Cases.Sample(
            (clients, choices, corrupted) =>
            {
                var history = Simulate(clients, choices);
                var result = LinearizabilityChecker.Check(Model, history);
                result.Verdict.ShouldBe(Verdict.Linearizable, result.Message);

                var reads = Enumerable.Range(0, history.Count)
                    .Where(i => history[i].Input.Kind == RegisterOperationKind.Read && !history[i].IsOutcomeUnknown)
                    .ToList();
                var read = history[reads[corrupted % reads.Count]];
                var changed = history.ToArray();
                changed[reads[corrupted % reads.Count]] = new Operation<RegisterInput, RegisterOutput>(
                    read.ClientId, read.Input, read.Call, RegisterOutput.Read(NeverWritten), read.Return);
                var changedResult = LinearizabilityChecker.Check(Model, changed);
                changedResult.Verdict.ShouldBe(Verdict.NotLinearizable, changedResult.Message);
            },
            iter: 300,
            print: sample => Describe(Simulate(sample.Item1, sample.Item2)));
    }

    private enum Phase
    {
        Idle,
        Called,
        TookEffect,
    }

    /// <summary>
    /// Runs the scheduler's choices against a register: at each tick one client either calls a random operation,
    /// has its pending operation take effect (recording the answer), or returns. Sometimes a client crashes
    /// instead, before or after its operation took effect, leaving an operation of unknown outcome. Ends with a
    /// read after everything, so there is always a completed read.
    /// </summary>
    private static List<Operation<RegisterInput, RegisterOutput>> Simulate(int clients, int[] choices)
    {
        long? register = null;
        var time = 0L;
        var history = new List<Operation<RegisterInput, RegisterOutput>>();
        var phase = new Phase[clients];
        var input = new RegisterInput[clients];
        var called = new long[clients];
        var output = new RegisterOutput[clients];

        void TakeEffect(int client)
        {
            output[client] = Apply(ref register, input[client]);
            phase[client] = Phase.TookEffect;
        }

        void Return(int client)
        {
            history.Add(new Operation<RegisterInput, RegisterOutput>(client, input[client], called[client], output[client], time));
            phase[client] = Phase.Idle;
        }

        foreach (var choice in choices)
        {
            time++;
            var client = choice % clients;
            var roll = choice / clients;
            var crash = roll % 10 == 0;
            switch (phase[client])
            {
                case Phase.Idle:
                    input[client] = (roll % 3) switch
                    {
                        0 => RegisterInput.Read(),
                        1 => RegisterInput.Write(roll / 3 % 5),
                        _ => RegisterInput.CompareAndSet(roll / 3 % 6 == 5 ? null : roll / 3 % 6, roll / 18 % 5),
                    };
                    called[client] = time;
                    phase[client] = Phase.Called;
                    break;
                case Phase.Called when crash:
                    // Crashed before the operation reached the register: it never happens.
                    history.Add(new Operation<RegisterInput, RegisterOutput>(client, input[client], called[client]));
                    phase[client] = Phase.Idle;
                    break;
                case Phase.Called:
                    TakeEffect(client);
                    break;
                case Phase.TookEffect when crash:
                    // Crashed after the operation took effect, before the answer arrived.
                    history.Add(new Operation<RegisterInput, RegisterOutput>(client, input[client], called[client]));
                    phase[client] = Phase.Idle;
                    break;
                case Phase.TookEffect:
                    Return(client);
                    break;
            }
        }

        for (var client = 0; client < clients; client++)
        {
            if (phase[client] == Phase.Called)
            {
                time++;
                TakeEffect(client);
            }

            if (phase[client] == Phase.TookEffect)
            {
                time++;
                Return(client);
            }
        }

        var last = RegisterInput.Read();
        history.Add(new Operation<RegisterInput, RegisterOutput>(0, last, time + 1, Apply(ref register, last), time + 2));
        return history;
    }

    private static RegisterOutput Apply(ref long? register, RegisterInput input)
    {
        switch (input.Kind)
        {
            case RegisterOperationKind.Read:
                return RegisterOutput.Read(register);
            case RegisterOperationKind.Write:
                register = input.Value;
                return RegisterOutput.Ok;
            default:
                if (register != input.Expected)
                {
                    return RegisterOutput.CompareFailed;
                }

                register = input.Value;
                return RegisterOutput.Ok;
        }
    }

    private static string Describe(List<Operation<RegisterInput, RegisterOutput>> history) =>
        string.Join(Environment.NewLine, history.Select(operation =>
            $"client {operation.ClientId} [{operation.Call}, {(operation.IsOutcomeUnknown ? "?" : operation.Return)}] "
            + (operation.IsOutcomeUnknown ? Model.DescribeOperation(operation.Input) : Model.DescribeOperation(operation.Input, operation.Output))));
}
