namespace NodeNomad.Launcher.Control;

/// <summary>
/// What a request to the running launcher asks: <see cref="Restart"/> or <see cref="Stop"/> a process, <see cref="Add"/>
/// a node to the cluster, or its <see cref="Status"/>.
/// </summary>
/// <param name="Verb">One of the verbs below.</param>
/// <param name="Target">The process, <c>node-N</c> or <c>console</c>; null for <see cref="Add"/> and <see cref="Status"/>.</param>
internal sealed record ControlRequest(string Verb, string? Target)
{
    public const string Restart = "restart";
    public const string Stop = "stop";
    public const string Status = "status";
    public const string Add = "add";

    public static bool IsVerb(string text) => text is Restart or Stop or Status or Add;

    /// <summary>Whether the verb names no process: the launcher as a whole answers it.</summary>
    public static bool TakesNoProcess(string verb) => verb is Status or Add;
}
