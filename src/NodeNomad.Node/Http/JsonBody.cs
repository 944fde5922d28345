using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace NodeNomad.Node.Http;

/// <summary>Reads a JSON request body, turning every way it can be wrong into a ProblemDetails answer.</summary>
public static class JsonBody
{
    /// <summary>The body as <typeparamref name="T"/>, or the problem to answer with.</summary>
    public static async Task<(T? Body, IResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.HasJsonContentType())
        {
            return (null, Problems.NotJson());
        }

        var options = request.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            var body = await request.ReadFromJsonAsync<T>(options, cancellationToken);
            return body is null ? (null, Problems.Invalid("The body must be a JSON object, not null.")) : (body, null);
        }
        catch (JsonException e)
        {
            return (null, Problems.Invalid($"Malformed JSON: {e.Message}"));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, Problems.TooLarge($"The request body is larger than the node accepts: {e.Message}"));
        }
    }
}
