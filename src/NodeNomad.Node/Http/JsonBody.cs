using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace NodeNomad.Node.Http;

/// <summary>Reads a JSON request body, turning every way it can be wrong into a ProblemDetails answer.</summary>
public static class JsonBody
{
    /// <summary>The body as <typeparamref name="T"/>, or the problem to answer with.</summary>
    public static async Task<(T? Body, IResult? Problem)> ReadAsync<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(
        HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.HasJsonContentType())
        {
            return (null, Problems.NotJson());
        }

        if (UnknownCharset(request) is { } charset)
        {
            return (null, Problems.UnsupportedMediaType($"The body's charset '{charset}' is not an encoding this node knows: send JSON as UTF-8 (Content-Type: application/json)."));
        }

        var options = request.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            var body = await request.ReadFromJsonAsync<T>(options, cancellationToken);
            return body is null ? (null, Problems.Invalid("The body must be a JSON object, not null.")) : (body, null);
        }
        catch (JsonException e)
        {
            return (null, Problems.Invalid(Describe(typeof(T), e)));
        }
        catch (BadHttpRequestException e)
        {
            return (null, Unreadable(e));
        }
    }

    /// <summary>
    /// The answer to a body the server could not read (cut short, broken chunks, too large), with the server's reason,
    /// which names no secret and no .NET type.
    /// </summary>
    public static IResult Unreadable(BadHttpRequestException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.StatusCode == StatusCodes.Status413PayloadTooLarge
            ? Problems.TooLarge($"The request body is larger than the node accepts: {error.Message}")
            : TypedResults.Problem($"The request body could not be read: {error.Message}", statusCode: error.StatusCode, title: "Bad request");
    }

    /// <summary>
    /// The charset of a JSON body when .NET knows no such encoding (reading it would fail inside the framework with an
    /// error that is no client's fault), or null. As the framework reads it: UTF-8 as is, any other known one transcoded.
    /// </summary>
    private static string? UnknownCharset(HttpRequest request)
    {
        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var media) || !media.Charset.HasValue
            || media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            _ = System.Text.Encoding.GetEncoding(media.Charset.Value!);
            return null;
        }
        catch (ArgumentException)
        {
            return media.Charset.Value;
        }
    }

    /// <summary>
    /// What is wrong with the body, in the API's terms: a field of the wrong kind is named with the kind it must be,
    /// and a syntax error with its place. The serializer's own message names .NET types, which callers need not know.
    /// </summary>
    internal static string Describe([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type body, JsonException error)
    {
        // A syntax error carries the reader's exception; a value the field's converter refused does not.
        if (error.InnerException is not JsonException && error.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal)
            && body.GetProperty(path[2..], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is { } property)
        {
            var field = path[2..];
            return error.InnerException is InvalidOperationException { Message: var reason } && reason.Contains("UTF", StringComparison.Ordinal)
                ? $"{field} must be valid Unicode text (it holds a lone surrogate)."
                : $"{field} must be {KindOf(property.PropertyType)}.";
        }

        return error.LineNumber is { } line
            ? $"Malformed JSON at line {line + 1}, byte {error.BytePositionInLine + 1}: the body must be one JSON object."
            : "Malformed JSON: the body must be one JSON object.";
    }

    private static string KindOf(Type type)
    {
        var nullable = Nullable.GetUnderlyingType(type);
        var kind = (nullable ?? type) switch
        {
            var t when t == typeof(string) => "a string",
            var t when t == typeof(long) || t == typeof(int) => "a whole number",
            var t when t == typeof(bool) => "true or false",
            var t when t == typeof(double) => "a number",
            _ => "a JSON value of the documented kind",
        };
        return nullable is null ? kind : $"{kind} or null";
    }
}
