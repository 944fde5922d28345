namespace NodeNomad.Storage.Marten;

// A stored shape: public for Marten's generated code and its serializer. Renaming a type or property changes the stored format.
/// <summary>
/// Event: the last of a superseded generation. Appending it with the expected version fences off a writer that
/// still appends to the old generation: its expected version no longer matches.
/// </summary>
public sealed class LogGenerationSealed
{
    /// <summary>The generation that replaced this one.</summary>
    public long NextGeneration { get; set; }
}
