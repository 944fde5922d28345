using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Refit;

namespace NodeNomad.Client;

/// <summary>Turns a node's error answer (an RFC 7807 problem, or whatever a proxy sent) into a typed exception.</summary>
internal static class ProblemResponse
{
    public static NodeNomadException ToException(ApiException error, TimeProvider clock)
    {
        var problem = Read(error);
        var title = problem?.Title ?? error.ReasonPhrase;
        var detail = problem?.Detail;
        return error.StatusCode switch
        {
            HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge =>
                new InvalidRequestException(error.StatusCode, title, detail, problem, error),
            // A 409 that names no current version is the cluster's state refusing an admin request (a drain, a move).
            HttpStatusCode.Conflict when problem is not null && !problem.Extensions.ContainsKey("currentVersion") =>
                new InvalidRequestException(error.StatusCode, title, detail, problem, error),
            HttpStatusCode.Conflict =>
                new VersionConflictException(title, detail, problem, Int64Member(problem, "currentVersion"), error),
            HttpStatusCode.MisdirectedRequest =>
                new WrongNodeException(title, detail, problem, UriMember(problem, "leaderUrl"), error),
            HttpStatusCode.ServiceUnavailable =>
                new ClusterUnavailableException(title, detail, problem, RetryAfter(error.Headers, clock), error),
            _ => new NodeNomadException(error.StatusCode, title, detail, problem, error),
        };
    }

    private static ProblemDetails? Read(ApiException error)
    {
        // A proxy or a load balancer in front of the node may answer with HTML or nothing at all.
        if (!error.HasContent)
        {
            return null;
        }

        try
        {
            return ValidationApiException.Create(error).Content;
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            return null;
        }
    }

    private static object? Member(ProblemDetails? problem, string name)
    {
        if (problem?.Extensions is null)
        {
            return null;
        }

        foreach (var (key, value) in problem.Extensions)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    private static long? Int64Member(ProblemDetails? problem, string name) => Member(problem, name) switch
    {
        long number => number,
        int number => number,
        decimal number when decimal.Truncate(number) == number => (long)number,
        double number when Math.Truncate(number) == number => (long)number,
        JsonElement { ValueKind: JsonValueKind.Number } element when element.TryGetInt64(out var number) => number,
        string text when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) => number,
        _ => null,
    };

    private static Uri? UriMember(ProblemDetails? problem, string name)
    {
        var text = Member(problem, name) switch
        {
            string value => value,
            JsonElement { ValueKind: JsonValueKind.String } element => element.GetString(),
            _ => null,
        };
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : null;
    }

    private static TimeSpan? RetryAfter(HttpResponseHeaders? headers, TimeProvider clock)
    {
        var retryAfter = headers?.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta;
        }

        if (retryAfter?.Date is { } date)
        {
            var wait = date - clock.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}
