using System.Net.Http.Json;
using System.Text.Json;

namespace NodeNomad.Node.Tests;

/// <summary>Request helpers: keys go into paths percent-encoded as one segment.</summary>
public static class Json
{
    public static readonly JsonSerializerOptions Options = JsonSerializerOptions.Web;

    public static Uri KeyPath(string operation, string key) => new($"/api/v1/{operation}/{Uri.EscapeDataString(key)}", UriKind.Relative);

    public static Task<HttpResponseMessage> SetAsync(this HttpClient http, string key, string value, long? ttl = null) =>
        http.PostAsJsonAsync("/api/v1/set", new { key, value, ttl }, Options);

    public static async Task<T> BodyAsync<T>(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<T>(Options))!;

    public static async Task<JsonElement> ProblemAsync(this HttpResponseMessage response)
    {
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        return await response.Content.ReadFromJsonAsync<JsonElement>(Options);
    }
}
