namespace NodeNomad.Load;

/// <summary>Finishing the start of something this program started, without leaking it when that fails.</summary>
internal static class DisposeOnFailure
{
    /// <summary>Runs <paramref name="step"/> on <paramref name="started"/>; if it throws, disposes <paramref name="started"/> and rethrows.</summary>
    public static async Task<T> ThenAsync<T>(this T started, Func<T, Task> step)
        where T : IAsyncDisposable
    {
        try
        {
            await step(started);
            return started;
        }
        catch
        {
            await started.DisposeAsync();
            throw;
        }
    }
}
