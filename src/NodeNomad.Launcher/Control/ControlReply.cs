namespace NodeNomad.Launcher.Control;

/// <summary>The running launcher's answer: done (<paramref name="Ok"/>) or refused, and what happened or why in <paramref name="Message"/>.</summary>
internal sealed record ControlReply(bool Ok, string Message);
