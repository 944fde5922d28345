using System.Text.Json;

namespace NodeNomad.Node.Tests.Fuzzing;

/// <summary>What a client may be answered, whatever it sent: a success, or a 4xx ProblemDetails that says what was wrong.</summary>
internal static class ProblemAnswer
{
    public const string MediaType = "application/problem+json";

    /// <summary>Why the answer is not acceptable, or null when it is.</summary>
    public static string? Fault(int status, string? mediaType, byte[] body)
    {
        if (status >= 500)
        {
            return $"answered {status}: {Excerpt(body)}";
        }

        if (status < 400)
        {
            return null;
        }

        if (mediaType != MediaType)
        {
            return $"answered {status} as '{mediaType ?? "no content type"}', not a ProblemDetails: {Excerpt(body)}";
        }

        try
        {
            using var problem = JsonDocument.Parse(body);
            if (problem.RootElement.ValueKind != JsonValueKind.Object)
            {
                return $"answered {status} with a ProblemDetails that is not an object: {Excerpt(body)}";
            }

            if (!problem.RootElement.TryGetProperty("detail", out var detail) || detail.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(detail.GetString()))
            {
                return $"answered {status} with a ProblemDetails without a detail: {Excerpt(body)}";
            }

            if (problem.RootElement.TryGetProperty("status", out var stated) && (stated.ValueKind != JsonValueKind.Number || stated.GetInt32() != status))
            {
                return $"answered {status} with a ProblemDetails stating status {stated.GetRawText()}";
            }
        }
        catch (JsonException e)
        {
            return $"answered {status} with a ProblemDetails that is not JSON ({e.Message}): {Excerpt(body)}";
        }

        return null;
    }

    /// <summary>Why the answer is not acceptable, or null when it is.</summary>
    public static async Task<string?> FaultAsync(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var body = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        return Fault((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
    }

    private static string Excerpt(byte[] body)
    {
        var text = System.Text.Encoding.UTF8.GetString(body);
        return text.Length > 300 ? text[..300] + "…" : text;
    }
}
