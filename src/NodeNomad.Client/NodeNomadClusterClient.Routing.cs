using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.ExceptionServices;
using NodeNomad.Contracts;
using Polly.Timeout;
using Refit;

namespace NodeNomad.Client;

/// <summary>Sending one operation: routing by the shard map, following redirects, waiting out 503s.</summary>
public sealed partial class NodeNomadClusterClient
{
    private static readonly RefitSettings ProblemReading = new();
    private static readonly MediaTypeHeaderValue JsonType = new("application/json") { CharSet = "utf-8" };

    private async Task<T?> SendAsync<T>(Call<T> call, CancellationToken cancellationToken)
        where T : class
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Timeout);
        try
        {
            return await AttemptAsync(call, clock.GetUtcNow() + options.Timeout, deadline.Token);
        }
        catch (OperationCanceledException e) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutRejectedException($"The call did not complete within {options.Timeout.TotalSeconds:0.###} s.", options.Timeout, e);
        }
    }

    private async Task<T?> AttemptAsync<T>(Call<T> call, DateTimeOffset endsAt, CancellationToken deadline)
        where T : class
    {
        Exception? last = null;
        Uri? hint = null;
        var misses = 0;
        var redirectsInARow = 0;
        for (var attempt = 1; attempt <= options.MaxAttempts; attempt++)
        {
            var route = await RouteAsync(call.Key, hint, misses, deadline);
            hint = null;
            var redirectedBefore = redirectsInARow;
            redirectsInARow = 0;
            using var request = Request(call, route);
            HttpResponseMessage response;
            using (var attemptLimit = CancellationTokenSource.CreateLinkedTokenSource(deadline))
            {
                attemptLimit.CancelAfter(options.AttemptTimeout);
                try
                {
                    response = await http().SendAsync(request, HttpCompletionOption.ResponseContentRead, attemptLimit.Token);
                }
                catch (HttpRequestException e) when (NeverReachedTheNode(e) || !call.Write)
                {
                    // The node is gone or unreachable: another one may lead the shard by now.
                    last = e;
                    misses++;
                    map.Outdate();
                    await BackOffAsync(attempt, retryAfter: null, e, endsAt, deadline);
                    continue;
                }
                catch (OperationCanceledException e) when (attemptLimit.IsCancellationRequested && !deadline.IsCancellationRequested)
                {
                    var timeout = new TimeoutRejectedException(
                        $"{route.Target} did not answer within {options.AttemptTimeout.TotalSeconds:0.###} s.", options.AttemptTimeout, e);
                    if (call.Write)
                    {
                        // Sent and not answered: the write may or may not have been applied.
                        throw timeout;
                    }

                    last = timeout;
                    misses++;
                    map.Outdate();
                    continue;
                }
            }

            using (response)
            {
                NoticeEpoch(response, route.Shard);
                if (response.IsSuccessStatusCode)
                {
                    var answer = await response.Content.ReadFromJsonAsync(call.Type, deadline)
                        ?? throw new NodeNomadException(response.StatusCode, "Empty answer", "The node answered without the expected body.", problem: null);
                    return ServedByHeaders.Stamp(answer, response.Headers);
                }

                if (response.StatusCode == HttpStatusCode.NotFound && call.AbsentOn404)
                {
                    return null;
                }

                var error = await ProblemAsync(request, response);
                switch (error)
                {
                    case WrongNodeException wrongNode:
                        // A 421 means the node did not execute the request, so even a write may go again.
                        last = wrongNode;
                        hint = LeaderHint(response) ?? wrongNode.LeaderUrl;
                        if (hint is null || hint == route.Target)
                        {
                            hint = null;
                            misses++;
                            await TryReadMapAsync(deadline);
                        }

                        // The first redirect is followed at once. Nodes that keep sending the call on disagree about
                        // who leads (an election or a move is settling): waiting lets them agree, where following at
                        // once would spend every attempt in a few milliseconds.
                        redirectsInARow = redirectedBefore + 1;
                        if (redirectedBefore > 0 && attempt < options.MaxAttempts)
                        {
                            await BackOffAsync(redirectedBefore, retryAfter: null, wrongNode, endsAt, deadline);
                        }

                        continue;
                    case ClusterUnavailableException unavailable when !call.Write:
                        last = unavailable;
                        misses++;
                        map.Outdate();
                        await BackOffAsync(attempt, unavailable.RetryAfter, unavailable, endsAt, deadline);
                        continue;
                    default:
                        throw error;
                }
            }
        }

        ExceptionDispatchInfo.Throw(last!);
        return null;
    }

    private async Task<KeyRoute> RouteAsync(string? key, Uri? hint, int misses, CancellationToken deadline)
    {
        ShardMap? current;
        try
        {
            current = await map.CurrentAsync(deadline);
        }
        catch (ClusterUnavailableException)
        {
            // No map to be had: a seed still takes the request and forwards it to the leader.
            return new KeyRoute(hint ?? options.Seeds[misses % options.Seeds.Count], null);
        }

        if (key is null)
        {
            return new KeyRoute(hint ?? current.AnyNode(misses), null);
        }

        var route = current.Route(key, misses);
        return hint is null ? route : route with { Target = hint };
    }

    private static HttpRequestMessage Request<T>(Call<T> call, KeyRoute route)
        where T : class
    {
        var request = new HttpRequestMessage(call.Method, NodeAddress.Of(route.Target, call.Path));
        if (call.Body is { } body)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = JsonType;
        }

        if (route.Shard is { } shard)
        {
            request.Headers.Add(RoutingHeaders.Epoch, shard.Epoch.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add(RoutingHeaders.Redirect, "true");
        }

        return request;
    }

    /// <summary>A node that knows a newer epoch of the shard than the map's: the map is out of date.</summary>
    private void NoticeEpoch(HttpResponseMessage response, ShardInfo? shard)
    {
        if (shard is not null
            && response.Headers.TryGetValues(RoutingHeaders.ShardEpoch, out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var epoch)
            && epoch > shard.Epoch)
        {
            map.Outdate();
        }
    }

    private static Uri? LeaderHint(HttpResponseMessage response) =>
        response.Headers.TryGetValues(RoutingHeaders.LeaderUrl, out var values)
        && Uri.TryCreate(values.FirstOrDefault(), UriKind.Absolute, out var url)
            ? url
            : null;

    private async Task TryReadMapAsync(CancellationToken deadline)
    {
        try
        {
            await map.ReadAsync(deadline);
        }
        catch (ClusterUnavailableException)
        {
            // The next attempt routes by the old map or a seed, and meets the same answer or a better one.
        }
    }

    private async Task BackOffAsync(int attempt, TimeSpan? retryAfter, Exception failure, DateTimeOffset endsAt, CancellationToken deadline)
    {
        if (attempt >= options.MaxAttempts)
        {
            return;
        }

        var exponential = options.RetryBaseDelay * Math.Pow(2, attempt - 1);
        var backoff = exponential > options.RetryMaxDelay ? options.RetryMaxDelay : exponential;
        var wait = retryAfter ?? backoff * (0.5 + (Random.Shared.NextDouble() / 2));
        if (clock.GetUtcNow() + wait >= endsAt)
        {
            // Waiting as asked would outlast the call: fail with what the node said rather than a timeout.
            ExceptionDispatchInfo.Throw(failure);
        }

        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, clock, deadline);
        }
    }

    private static async Task<NodeNomadException> ProblemAsync(HttpRequestMessage request, HttpResponseMessage response)
    {
        var error = await ApiException.Create(request, request.Method, response, ProblemReading);
        return ProblemResponse.ToException(error, TimeProvider.System);
    }

    private static bool NeverReachedTheNode(HttpRequestException exception) =>
        exception.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError;
}
