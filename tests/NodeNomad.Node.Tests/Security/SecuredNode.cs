using System.Net.Http.Headers;
using System.Net.Http.Json;
using NodeNomad.Contracts;

namespace NodeNomad.Node.Tests.Security;

/// <summary>Helpers for nodes that enforce credentials: a bootstrap token, clients carrying a token, keys created through the API.</summary>
internal static class SecuredNode
{
    /// <summary>A bootstrap admin token of the length the node asks for.</summary>
    public const string AdminToken = "test-admin-token-0123456789abcdef0123456789";

    /// <summary>A client of <paramref name="baseAddress"/> sending <paramref name="token"/> as its bearer token (none when null).</summary>
    public static HttpClient Client(Uri baseAddress, string? token)
    {
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        Authorize(http, token);
        return http;
    }

    /// <summary>Sets (or clears) <paramref name="http"/>'s bearer token.</summary>
    public static HttpClient Authorize(HttpClient http, string? token)
    {
        http.DefaultRequestHeaders.Authorization = token is null ? null : new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>Creates a key through <paramref name="admin"/>, retrying while the meta group has no leader yet.</summary>
    public static async Task<CreatedApiKey> CreateKeyAsync(HttpClient admin, string name, params string[] scopes)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            using var response = await admin.PostAsJsonAsync("/api/v1/admin/keys", new { name, scopes }, Json.Options);
            if (response.StatusCode == System.Net.HttpStatusCode.Created)
            {
                return await response.BodyAsync<CreatedApiKey>();
            }

            if (response.StatusCode != System.Net.HttpStatusCode.ServiceUnavailable || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"Creating key {name} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }

            await Task.Delay(100);
        }
    }
}
