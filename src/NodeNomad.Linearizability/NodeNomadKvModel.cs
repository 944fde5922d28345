namespace NodeNomad.Linearizability;

/// <summary>
/// NodeNomad's key-value operations, simplified to values: get (a value, or absent), put, delete, and
/// compare-and-set on the value (expected value, or absent, then the new value; the answer says whether it
/// wrote). One partition per key. Versions and expiry are not modelled, and a delete's answer is not checked
/// (deleting an absent key is a no-op either way).
/// </summary>
public sealed class NodeNomadKvModel : Model<string?, NodeNomadKvInput, NodeNomadKvOutput>
{
    /// <inheritdoc/>
    public override string? Init() => null;

    /// <inheritdoc/>
    public override (bool Ok, string? State) Step(string? state, NodeNomadKvInput input, NodeNomadKvOutput output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        return input.Kind switch
        {
            NodeNomadKvOperationKind.Get => (string.Equals(output.Value, state, StringComparison.Ordinal), state),
            NodeNomadKvOperationKind.CompareAndSet => (output.Succeeded == string.Equals(state, input.Expected, StringComparison.Ordinal), StepUnobserved(state, input)),
            _ => (true, StepUnobserved(state, input)),
        };
    }

    /// <inheritdoc/>
    public override string? StepUnobserved(string? state, NodeNomadKvInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Kind switch
        {
            NodeNomadKvOperationKind.Put => input.Value,
            NodeNomadKvOperationKind.Delete => null,
            NodeNomadKvOperationKind.CompareAndSet => string.Equals(state, input.Expected, StringComparison.Ordinal) ? input.Value : state,
            _ => state,
        };
    }

    /// <inheritdoc/>
    public override bool IsReadOnly(NodeNomadKvInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Kind == NodeNomadKvOperationKind.Get;
    }

    /// <inheritdoc/>
    public override IEqualityComparer<string?> States => StringComparer.Ordinal;

    /// <inheritdoc/>
    public override IReadOnlyList<HistoryPartition<NodeNomadKvInput, NodeNomadKvOutput>> Partition(
        IReadOnlyList<Operation<NodeNomadKvInput, NodeNomadKvOutput>> history) =>
        KeyPartitions.ByKey(history, input => input.Key);

    /// <inheritdoc/>
    public override string DescribeOperation(NodeNomadKvInput input, NodeNomadKvOutput output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        return input.Kind switch
        {
            NodeNomadKvOperationKind.Get => $"{Call(input)} -> {Describe(output.Value)}",
            NodeNomadKvOperationKind.CompareAndSet => $"{Call(input)} -> {(output.Succeeded ? "ok" : "failed")}",
            _ => Call(input),
        };
    }

    /// <inheritdoc/>
    public override string DescribeOperation(NodeNomadKvInput input) => $"{Call(input)} -> ?";

    /// <inheritdoc/>
    public override string DescribeState(string? state) => Describe(state);

    private static string Call(NodeNomadKvInput input) => input.Kind switch
    {
        NodeNomadKvOperationKind.Get => $"get({EdnText.Quote(input.Key)})",
        NodeNomadKvOperationKind.Put => $"put({EdnText.Quote(input.Key)}, {Describe(input.Value)})",
        NodeNomadKvOperationKind.Delete => $"delete({EdnText.Quote(input.Key)})",
        _ => $"cas({EdnText.Quote(input.Key)}, {Describe(input.Expected)}, {Describe(input.Value)})",
    };

    private static string Describe(string? value) => value is null ? "absent" : EdnText.Quote(value);
}
