using System.Globalization;

namespace NodeNomad.Linearizability;

/// <summary>
/// A single register of integers, nil before the first write, with read, write and compare-and-set, as in
/// Jepsen's etcd test. A compare-and-set <c>[old new]</c> writes <c>new</c> if and only if the register holds
/// <c>old</c>; its answer says whether it did.
/// </summary>
public sealed class RegisterModel : Model<long?, RegisterInput, RegisterOutput>
{
    /// <inheritdoc/>
    public override long? Init() => null;

    /// <inheritdoc/>
    public override (bool Ok, long? State) Step(long? state, RegisterInput input, RegisterOutput output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        return input.Kind switch
        {
            RegisterOperationKind.Read => (output.Value == state, state),
            RegisterOperationKind.Write => (true, input.Value),
            _ => (output.Succeeded == (state == input.Expected), StepUnobserved(state, input)),
        };
    }

    /// <inheritdoc/>
    public override long? StepUnobserved(long? state, RegisterInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Kind switch
        {
            RegisterOperationKind.Read => state,
            RegisterOperationKind.Write => input.Value,
            _ => state == input.Expected ? input.Value : state,
        };
    }

    /// <inheritdoc/>
    public override bool IsReadOnly(RegisterInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Kind == RegisterOperationKind.Read;
    }

    /// <inheritdoc/>
    public override string DescribeOperation(RegisterInput input, RegisterOutput output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        return input.Kind switch
        {
            RegisterOperationKind.Read => $"{Call(input)} -> {Describe(output.Value)}",
            RegisterOperationKind.Write => Call(input),
            _ => $"{Call(input)} -> {(output.Succeeded ? "ok" : "failed")}",
        };
    }

    /// <inheritdoc/>
    public override string DescribeOperation(RegisterInput input) => $"{Call(input)} -> ?";

    /// <inheritdoc/>
    public override string DescribeState(long? state) => Describe(state);

    private static string Call(RegisterInput input) => input.Kind switch
    {
        RegisterOperationKind.Read => "read()",
        RegisterOperationKind.Write => $"write({Describe(input.Value)})",
        _ => $"cas({Describe(input.Expected)}, {Describe(input.Value)})",
    };

    private static string Describe(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "nil";
}
