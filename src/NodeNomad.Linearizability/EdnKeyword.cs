namespace NodeNomad.Linearizability;

/// <summary>An EDN keyword such as <c>:invoke</c>; <see cref="Name"/> is without the colon.</summary>
internal readonly record struct EdnKeyword(string Name)
{
    public override string ToString() => ":" + Name;
}
