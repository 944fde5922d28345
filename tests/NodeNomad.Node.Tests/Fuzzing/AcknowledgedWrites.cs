using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using NodeNomad.Contracts;

namespace NodeNomad.Node.Tests.Fuzzing;

/// <summary>
/// Values a node acknowledged before the fuzzing began, text and bytes, under keys no fuzzer makes (a fresh GUID
/// each): afterwards each must read back with the same value and version.
/// </summary>
internal sealed class AcknowledgedWrites
{
    private readonly List<(string Key, byte[] Value, bool Binary, long Version)> _written = [];

    public int Count => _written.Count;

    /// <summary>Writes <paramref name="count"/> text values and as many byte values through <paramref name="http"/>, each acknowledged.</summary>
    public static async Task<AcknowledgedWrites> WriteAsync(HttpClient http, int count, Random random)
    {
        var writes = new AcknowledgedWrites();
        var prefix = $"acknowledged-{Guid.NewGuid():N}/";
        for (var i = 0; i < count; i++)
        {
            var text = $"value {i} \u00e9\u4e2d\ud83d\ude00 {random.Next()}";
            using var set = await RetryAsync(() => http.PostAsJsonAsync("/api/v1/set", new { key = $"{prefix}text-{i}", value = text }, Json.Options));
            writes._written.Add(($"{prefix}text-{i}", System.Text.Encoding.UTF8.GetBytes(text), false, (await set.BodyAsync<WriteResult>()).Version));

            var bytes = MalformedRequests.RandomBytes(random, 1 + random.Next(300));
            using var put = await RetryAsync(() =>
            {
                var content = new ByteArrayContent(bytes);
                content.Headers.ContentType = new MediaTypeHeaderValue(RawValue.OctetStream);
                return http.PutAsync(Json.KeyPath("set", $"{prefix}bytes-{i}"), content);
            });
            writes._written.Add(($"{prefix}bytes-{i}", bytes, true, (await put.BodyAsync<WriteResult>()).Version));
        }

        return writes;
    }

    /// <summary>Reads every value back through <paramref name="http"/> (linearizably) and says what differs; empty when all are intact.</summary>
    public async Task<List<string>> DifferencesAsync(HttpClient http)
    {
        var differences = new List<string>();
        foreach (var (key, value, binary, version) in _written)
        {
            using var response = await RetryAsync(() => http.GetAsync(Json.KeyPath("get", key)));
            var read = await response.BodyAsync<KeyValue>();
            var bytes = binary ? Convert.FromBase64String(read.Value) : System.Text.Encoding.UTF8.GetBytes(read.Value);
            if (!bytes.AsSpan().SequenceEqual(value) || read.Version != version)
            {
                differences.Add($"{key}: version {read.Version} (written {version}), {bytes.Length} bytes (written {value.Length}){(bytes.AsSpan().SequenceEqual(value) ? string.Empty : ", other bytes")}");
            }
        }

        return differences;
    }

    /// <summary>Sends until the answer is a success, while the node answers 503 (no leader yet), for 30 s at most.</summary>
    public static async Task<HttpResponseMessage> RetryAsync(Func<Task<HttpResponseMessage>> send)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            HttpResponseMessage? response = null;
            try
            {
                response = await send();
                if (response.IsSuccessStatusCode)
                {
                    return response;
                }

                if (response.StatusCode != HttpStatusCode.ServiceUnavailable || DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            response?.Dispose();
            await Task.Delay(100);
        }
    }
}
