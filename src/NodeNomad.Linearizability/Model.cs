using System.Diagnostics.CodeAnalysis;

namespace NodeNomad.Linearizability;

/// <summary>
/// The sequential specification a history is checked against: what a single copy of the object does,
/// one operation at a time. The checker looks for an order of the history's operations, consistent with
/// real time, in which every operation is accepted by <see cref="Step"/>.
/// </summary>
/// <remarks>
/// Implementations must be pure and thread-safe: partitions are searched in parallel, and the search calls
/// <see cref="Step"/> many times on the same states while it backtracks. States are compared and hashed
/// through <see cref="States"/> to memoise the search, so two states that behave the same must compare equal.
/// </remarks>
/// <typeparam name="TState">The object's state; treated as immutable.</typeparam>
/// <typeparam name="TInput">What a client asked for.</typeparam>
/// <typeparam name="TOutput">What the client was answered.</typeparam>
public abstract class Model<TState, TInput, TOutput>
{
    /// <summary>The state before any operation.</summary>
    public abstract TState Init();

    /// <summary>
    /// Applies an operation whose answer was observed: <c>Ok</c> is whether the object, in <paramref name="state"/>,
    /// could have answered <paramref name="output"/> to <paramref name="input"/>, and <c>State</c> the state after it.
    /// </summary>
    [SuppressMessage("Naming", "CA1716", Justification = "Porcupine's name for the transition; models are written in C#, where Step is no keyword.")]
    public abstract (bool Ok, TState State) Step(TState state, TInput input, TOutput output);

    /// <summary>
    /// Applies an operation whose answer was never observed (the client timed out or crashed): any answer is
    /// accepted, so this cannot fail. Returns the state after the operation took effect.
    /// </summary>
    public abstract TState StepUnobserved(TState state, TInput input);

    /// <summary>
    /// True when the operation never changes the state, whatever the state (a read). Such an operation whose
    /// outcome is unknown constrains nothing, so the checker leaves it out, which can save a search exponential
    /// in the number of unanswered operations. Defaults to false: every operation is kept.
    /// </summary>
    public virtual bool IsReadOnly(TInput input) => false;

    /// <summary>
    /// True when the operation is a write that only ever grows the state, in the sense of <see cref="Outgrown"/>:
    /// after it, a read that <see cref="Outgrown"/> says the state has passed stays passed (an append to a value).
    /// Defaults to false.
    /// </summary>
    public virtual bool Grows(TInput input) => false;

    /// <summary>
    /// True when no sequence of writes that <see cref="Grows"/> can take <paramref name="state"/> to a state in
    /// which the read <paramref name="input"/> answers <paramref name="output"/> (for appends to a value: the value
    /// read does not start with the state's). The search uses it to drop a partial linearization as soon as a read
    /// still waiting to be placed can no longer be, rather than when the read's answer comes; it must never answer
    /// true when such a sequence exists. Defaults to false, which prunes nothing.
    /// </summary>
    public virtual bool Outgrown(TState state, TInput input, TOutput output) => false;

    /// <summary>Equality and hashing of states, used to memoise the search. Defaults to the type's own.</summary>
    public virtual IEqualityComparer<TState> States => EqualityComparer<TState>.Default;

    /// <summary>
    /// Splits a history into independent sub-histories (for a key-value store: one per key), each of which is
    /// checked on its own. A history is linearizable if and only if every partition is, provided operations in
    /// different partitions never affect one another. The default is a single partition.
    /// </summary>
    public virtual IReadOnlyList<HistoryPartition<TInput, TOutput>> Partition(IReadOnlyList<Operation<TInput, TOutput>> history) =>
        [new HistoryPartition<TInput, TOutput>("the whole history", history)];

    /// <summary>Describes an operation whose answer was observed, for messages.</summary>
    public virtual string DescribeOperation(TInput input, TOutput output) => $"{input} -> {output}";

    /// <summary>Describes an operation whose answer was never observed, for messages.</summary>
    public virtual string DescribeOperation(TInput input) => $"{input} -> ?";

    /// <summary>Describes a state, for messages.</summary>
    public virtual string DescribeState(TState state) => state?.ToString() ?? "nil";
}
