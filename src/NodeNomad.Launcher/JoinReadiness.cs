using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using NodeNomad.Contracts;

namespace NodeNomad.Launcher;

/// <summary>Waits until the members of the cluster record a node that joins it, and see it up.</summary>
internal static class JoinReadiness
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Null once one of <paramref name="members"/> lists <paramref name="nodeId"/> as up; otherwise what was seen when
    /// <paramref name="limit"/> ran out or <paramref name="failed"/> named a reason (the node's process exited).
    /// </summary>
    public static async Task<string?> WaitAsync(IReadOnlyList<Uri> members, string nodeId, TimeSpan limit, Func<string?> failed, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var started = Stopwatch.GetTimestamp();
        var seen = "no member has answered yet";
        for (var attempt = 0; Stopwatch.GetElapsedTime(started) < limit; attempt++)
        {
            if (failed() is { } reason)
            {
                return reason;
            }

            // One member after another, so that a member that is down does not hide the others' answers.
            var member = members[attempt % members.Count];
            try
            {
                var nodes = await http.GetFromJsonAsync<NodeInfo[]>(new Uri(member, "/api/v1/cluster/nodes"), Web, cancellationToken) ?? [];
                var node = nodes.FirstOrDefault(n => n.Id == nodeId);
                if (node is { State: NodeStates.Up })
                {
                    return null;
                }

                seen = node is null ? $"{member} does not list {nodeId} yet" : $"{member} lists {nodeId} as {node.State}";
            }
            catch (Exception e) when (e is HttpRequestException or JsonException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                seen = $"{member} does not answer ({e.Message})";
            }

            await Task.Delay(Poll, cancellationToken);
        }

        return $"not recorded as up within {limit.TotalSeconds:0} s: {seen}";
    }
}
