namespace NodeNomad.Launcher.Control;

/// <summary>What a request to the running launcher asks: <see cref="Restart"/> or <see cref="Stop"/> a process, or its <see cref="Status"/>.</summary>
/// <param name="Verb">One of the verbs below.</param>
/// <param name="Target">The process, <c>node-N</c> or <c>console</c>; null for <see cref="Status"/>.</param>
internal sealed record ControlRequest(string Verb, string? Target)
{
    public const string Restart = "restart";
    public const string Stop = "stop";
    public const string Status = "status";

    public static bool IsVerb(string text) => text is Restart or Stop or Status;
}
