namespace NodeNomad.Load.Stores;

/// <summary>What one operation got.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="Version">The key's version the answer names (the write's version, the version read), or 0.</param>
/// <param name="Redirects">421 answers followed to the shard's leader on the way.</param>
/// <param name="Detail">For an error: the status and the body or exception message.</param>
/// <param name="Value">For a read that found the key: the value read.</param>
internal readonly record struct OperationResult(Outcome Outcome, long Version = 0, int Redirects = 0, string? Detail = null, string? Value = null)
{
    public bool IsError => Outcome is Outcome.Timeout or Outcome.Unavailable or Outcome.Other;

    public static OperationResult Ok(long version = 0, int redirects = 0) => new(Outcome.Ok, version, redirects);

    public static OperationResult NotSupported { get; } = new(Outcome.NotSupported);
}
