namespace NodeNomad.Linearizability;

/// <summary>
/// The key-value store of Porcupine's tests: string values, "" for a key never written, get / put / append,
/// one partition per key. The output is the value a get returned; put and append outputs are ignored.
/// </summary>
public sealed class AppendKvModel : Model<string, AppendKvInput, string>
{
    /// <inheritdoc/>
    public override string Init() => "";

    /// <inheritdoc/>
    public override (bool Ok, string State) Step(string state, AppendKvInput input, string output)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Kind == AppendKvOperationKind.Get
            ? (string.Equals(output, state, StringComparison.Ordinal), state)
            : (true, StepUnobserved(state, input));
    }

    /// <inheritdoc/>
    public override string StepUnobserved(string state, AppendKvInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Kind switch
        {
            AppendKvOperationKind.Put => input.Value,
            AppendKvOperationKind.Append => state + input.Value,
            _ => state,
        };
    }

    /// <inheritdoc/>
    public override bool IsReadOnly(AppendKvInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Kind == AppendKvOperationKind.Get;
    }

    /// <inheritdoc/>
    public override bool Grows(AppendKvInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Kind == AppendKvOperationKind.Append;
    }

    /// <inheritdoc/>
    /// <remarks>Appends only add to the end, so a get can still answer a value only if the value starts with the state.</remarks>
    public override bool Outgrown(string state, AppendKvInput input, string output)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Kind == AppendKvOperationKind.Get && !output.StartsWith(state, StringComparison.Ordinal);
    }

    /// <inheritdoc/>
    public override IEqualityComparer<string> States => StringComparer.Ordinal;

    /// <inheritdoc/>
    public override IReadOnlyList<HistoryPartition<AppendKvInput, string>> Partition(IReadOnlyList<Operation<AppendKvInput, string>> history) =>
        KeyPartitions.ByKey(history, input => input.Key);

    /// <inheritdoc/>
    public override string DescribeOperation(AppendKvInput input, string output)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Kind == AppendKvOperationKind.Get ? $"{Call(input)} -> {EdnText.Quote(output)}" : Call(input);
    }

    /// <inheritdoc/>
    public override string DescribeOperation(AppendKvInput input) => $"{Call(input)} -> ?";

    /// <inheritdoc/>
    public override string DescribeState(string state) => EdnText.Quote(state);

    private static string Call(AppendKvInput input) => input.Kind switch
    {
        AppendKvOperationKind.Get => $"get({EdnText.Quote(input.Key)})",
        AppendKvOperationKind.Put => $"put({EdnText.Quote(input.Key)}, {EdnText.Quote(input.Value)})",
        _ => $"append({EdnText.Quote(input.Key)}, {EdnText.Quote(input.Value)})",
    };
}
