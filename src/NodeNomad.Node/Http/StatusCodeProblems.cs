namespace NodeNomad.Node.Http;

/// <summary>
/// Turns the bodiless errors the routing layer produces (no such route, wrong method, wrong content type)
/// into ProblemDetails that say what was wrong.
/// </summary>
public static class StatusCodeProblems
{
    /// <summary>Answers bodiless 4xx/5xx responses with a ProblemDetails carrying the reason.</summary>
    public static WebApplication UseStatusCodeProblems(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            var status = http.Response.StatusCode;
            var path = http.Request.Path.Value;
            var detail = status switch
            {
                StatusCodes.Status404NotFound => $"There is no endpoint at {path}. The API lives under /api/v1; see /openapi/v1.json.",
                StatusCodes.Status405MethodNotAllowed => $"{http.Request.Method} is not allowed on {path}.",
                StatusCodes.Status415UnsupportedMediaType => "Send the body as JSON with Content-Type: application/json.",
                // What routing refuses without a word: a route or query value that does not bind to the endpoint's parameter.
                StatusCodes.Status400BadRequest => $"The request to {path} is malformed: a value in its path or query is not of the kind the endpoint takes (see /openapi/v1.json).",
                _ => $"{http.Request.Method} {path}: {Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status)}.",
            };
            await TypedResults.Problem(detail, statusCode: status).ExecuteAsync(http);
        });
        return app;
    }
}
