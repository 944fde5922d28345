using System.Diagnostics;

namespace NodeNomad.Load;

/// <summary>Waits for a process this program started to answer over HTTP.</summary>
internal static class Readiness
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    /// <summary>True once <paramref name="probe"/> answers 2xx; false after <paramref name="limit"/> or once <paramref name="gone"/> says the process is gone.</summary>
    public static async Task<bool> WaitAsync(Uri probe, TimeSpan limit, Func<bool> gone, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var started = Stopwatch.GetTimestamp();
        while (!gone() && Stopwatch.GetElapsedTime(started) < limit)
        {
            try
            {
                using var response = await http.GetAsync(probe, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // Not listening yet.
            }

            await Task.Delay(Poll, cancellationToken);
        }

        return false;
    }
}
