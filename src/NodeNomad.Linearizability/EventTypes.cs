namespace NodeNomad.Linearizability;

/// <summary>Jepsen's names for <see cref="EventType"/>s.</summary>
internal static class EventTypes
{
    /// <summary>Reads <c>invoke</c>, <c>ok</c>, <c>fail</c> or <c>info</c> (without the colon).</summary>
    public static bool TryParse(string name, out EventType type)
    {
        (var known, type) = name switch
        {
            "invoke" => (true, EventType.Invoke),
            "ok" => (true, EventType.Ok),
            "fail" => (true, EventType.Fail),
            "info" => (true, EventType.Info),
            _ => (false, EventType.Invoke),
        };
        return known;
    }
}
