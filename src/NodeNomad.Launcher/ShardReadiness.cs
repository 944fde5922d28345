using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using NodeNomad.Contracts;

namespace NodeNomad.Launcher;

/// <summary>Waits until a node reports shards and every one of them has a leader.</summary>
internal static class ShardReadiness
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>Null once ready; otherwise what was still missing when <paramref name="limit"/> ran out or <paramref name="failed"/> named a reason.</summary>
    public static async Task<string?> WaitAsync(Uri node, TimeSpan limit, Func<string?> failed, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var started = Stopwatch.GetTimestamp();
        var missing = $"{node} has not answered yet";
        while (Stopwatch.GetElapsedTime(started) < limit)
        {
            if (failed() is { } reason)
            {
                return reason;
            }

            try
            {
                var shards = await http.GetFromJsonAsync<ShardInfo[]>(new Uri(node, "/api/v1/cluster/shards"), Web, cancellationToken) ?? [];
                var leaderless = shards.Where(s => s.LeaderId is null).Select(s => s.Id).ToList();
                if (shards.Length > 0 && leaderless.Count == 0)
                {
                    return null;
                }

                missing = shards.Length == 0
                    ? $"{node} reports no shards yet"
                    : $"{leaderless.Count} of {shards.Length} shards have no leader (shards {string.Join(", ", leaderless)})";
            }
            catch (Exception e) when (e is HttpRequestException or JsonException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                missing = $"{node} does not answer ({e.Message})";
            }

            await Task.Delay(Poll, cancellationToken);
        }

        return $"not ready within {limit.TotalSeconds:0} s: {missing}";
    }
}
