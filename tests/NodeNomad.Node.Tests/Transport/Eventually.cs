namespace NodeNomad.Node.Tests.Transport;

/// <summary>Polls a condition that background work makes true.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string description, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new ShouldAssertException($"Timed out waiting for {description}.");
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }
}
