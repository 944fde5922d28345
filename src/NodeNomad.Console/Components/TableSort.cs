namespace NodeNomad.Console.Components;

/// <summary>
/// Which column a table is sorted by, and which way; a click on the same column turns the order round, a click on
/// another sorts by it ascending.
/// </summary>
/// <typeparam name="T">The rows.</typeparam>
public sealed class TableSort<T>
{
    private readonly IReadOnlyDictionary<string, Func<T, IComparable?>> _columns;

    /// <summary>A sort over <paramref name="columns"/> (column key to the row's value), by <paramref name="initial"/> first.</summary>
    public TableSort(IReadOnlyDictionary<string, Func<T, IComparable?>> columns, string initial)
    {
        ArgumentNullException.ThrowIfNull(columns);
        _columns = columns;
        Column = initial;
    }

    /// <summary>The column sorted by.</summary>
    public string Column { get; private set; }

    /// <summary>Whether the order is descending.</summary>
    public bool Descending { get; private set; }

    /// <summary>Sorts by <paramref name="column"/>, or turns the order round if it is already the one.</summary>
    public void By(string column)
    {
        if (column == Column)
        {
            Descending = !Descending;
        }
        else
        {
            (Column, Descending) = (column, false);
        }
    }

    /// <summary>The rows in this order; unknown values (null) first when ascending.</summary>
    public IEnumerable<T> Apply(IEnumerable<T> rows)
    {
        var value = _columns[Column];
        var comparer = Comparer<IComparable?>.Create((a, b) => a is null ? (b is null ? 0 : -1) : b is null ? 1 : a.CompareTo(b));
        return Descending ? rows.OrderByDescending(value, comparer) : rows.OrderBy(value, comparer);
    }
}
