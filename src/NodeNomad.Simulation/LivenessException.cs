namespace NodeNomad.Simulation;

/// <summary>After every fault healed, the group did not converge within the bound.</summary>
public sealed class LivenessException : Exception
{
    public LivenessException()
    {
    }

    public LivenessException(string message)
        : base(message)
    {
    }

    public LivenessException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
