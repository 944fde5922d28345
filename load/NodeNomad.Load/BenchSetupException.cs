namespace NodeNomad.Load;

/// <summary>The benchmark cannot start or a target misbehaved; the message says what to do.</summary>
internal sealed class BenchSetupException : Exception
{
    public BenchSetupException()
    {
    }

    public BenchSetupException(string message)
        : base(message)
    {
    }

    public BenchSetupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
