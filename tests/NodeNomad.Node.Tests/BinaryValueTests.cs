using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using NodeNomad.Contracts;
using NodeNomad.Core.KeyValue;

namespace NodeNomad.Node.Tests;

public sealed class BinaryValueTests : IDisposable
{
    // Not UTF-8 (a lone 0xFF, a surrogate's encoding, a NUL): bytes that no text round trip would keep.
    private static readonly byte[] Blob = [0x00, 0xFF, 0xED, 0xA0, 0x80, 0x7F, 0x0A];

    private readonly NodeFactory _node = new();
    private readonly HttpClient _http;

    public BinaryValueTests() => _http = _node.CreateClient();

    public void Dispose() => _node.Dispose();

    [Fact]
    public async Task an_octet_stream_put_reads_back_raw_and_as_base64_in_json()
    {
        var put = await _http.PutAsync(Json.KeyPath("set", "blob") + "?ttl=60", Octets(Blob));
        put.StatusCode.ShouldBe(HttpStatusCode.OK);
        var written = await put.BodyAsync<WriteResult>();
        written.ExpiresAt.ShouldNotBeNull();

        using var raw = await GetRawAsync("blob");
        raw.StatusCode.ShouldBe(HttpStatusCode.OK);
        raw.Content.Headers.ContentType!.MediaType.ShouldBe("application/octet-stream");
        (await raw.Content.ReadAsByteArrayAsync()).ShouldBe(Blob);
        raw.Headers.GetValues(RawValue.VersionHeader).Single().ShouldBe(written.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        raw.Headers.GetValues(RawValue.KindHeader).Single().ShouldBe("binary");
        raw.Headers.Contains(RawValue.ExpiresAtHeader).ShouldBeTrue();

        var json = await (await _http.GetAsync(Json.KeyPath("get", "blob"))).BodyAsync<KeyValue>();
        json.Encoding.ShouldBe("base64");
        json.Value.ShouldBe(Convert.ToBase64String(Blob));
        json.GetBytes().ShouldBe(Blob);
        json.Version.ShouldBe(written.Version);
    }

    [Fact]
    public async Task a_json_write_that_says_base64_stores_the_decoded_bytes()
    {
        var set = await _http.PostAsJsonAsync("/api/v1/set", new { key = "b64", value = Convert.ToBase64String(Blob), encoding = "base64" }, Json.Options);
        set.StatusCode.ShouldBe(HttpStatusCode.OK);

        using var raw = await GetRawAsync("b64");
        (await raw.Content.ReadAsByteArrayAsync()).ShouldBe(Blob);
        var listed = await (await _http.GetAsync("/api/v1/keys?prefix=b64")).BodyAsync<KeyPage>();
        listed.Items.Single().ShouldBe(new KeySummary("b64", listed.Items[0].Version, null, Blob.Length, "base64"));
    }

    [Fact]
    public async Task a_text_value_in_json_has_no_encoding_field_and_reads_raw_as_its_utf8()
    {
        await _http.SetAsync("text", "värde €");

        var body = await (await _http.GetAsync(Json.KeyPath("get", "text"))).Content.ReadAsStringAsync();
        body.ShouldNotContain("encoding");
        using var raw = await GetRawAsync("text");
        (await raw.Content.ReadAsByteArrayAsync()).ShouldBe("värde €"u8.ToArray());
        raw.Headers.GetValues(RawValue.KindHeader).Single().ShouldBe("utf-8");
    }

    [Fact]
    public async Task a_read_that_accepts_json_too_gets_json()
    {
        await _http.PutAsync(Json.KeyPath("set", "both"), Octets(Blob));
        using var request = new HttpRequestMessage(HttpMethod.Get, Json.KeyPath("get", "both"));
        request.Headers.Accept.ParseAdd("application/octet-stream");
        request.Headers.Accept.ParseAdd("application/json");

        using var response = await _http.SendAsync(request);

        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        (await response.BodyAsync<KeyValue>()).Encoding.ShouldBe("base64");
    }

    [Fact]
    public async Task a_text_plain_put_stores_text_and_refuses_bytes_that_are_not_utf8()
    {
        var put = await _http.PutAsync(Json.KeyPath("set", "plain"), new StringContent("hello", System.Text.Encoding.UTF8, "text/plain"));
        put.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await (await _http.GetAsync(Json.KeyPath("get", "plain"))).BodyAsync<KeyValue>()).ShouldBe(new KeyValue("plain", "hello", (await put.BodyAsync<WriteResult>()).Version, null));

        var notText = new ByteArrayContent(Blob);
        notText.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        var refused = await _http.PutAsync(Json.KeyPath("set", "plain"), notText);
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await refused.ProblemAsync()).GetProperty("errors").TryGetProperty("value", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task a_put_of_another_media_type_is_415_naming_the_ones_taken()
    {
        var response = await _http.PutAsync(Json.KeyPath("set", "k"), new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        (await response.ProblemAsync()).GetProperty("detail").GetString()!.ShouldContain("application/octet-stream");
    }

    [Fact]
    public async Task an_empty_octet_stream_is_a_value_of_no_bytes()
    {
        (await _http.PutAsync(Json.KeyPath("set", "empty"), Octets([]))).StatusCode.ShouldBe(HttpStatusCode.OK);

        var json = await (await _http.GetAsync(Json.KeyPath("get", "empty"))).BodyAsync<KeyValue>();
        json.ShouldBe(new KeyValue("empty", "", json.Version, null, "base64"));
    }

    [Fact]
    public async Task bad_base64_is_400_naming_the_value_field()
    {
        var response = await _http.PostAsJsonAsync("/api/v1/set", new { key = "k", value = "not base64!", encoding = "base64" }, Json.Options);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.ProblemAsync();
        problem.GetProperty("detail").GetString()!.ShouldContain("base64");
        problem.GetProperty("errors").GetProperty("value")[0].GetString()!.ShouldContain("not valid base64");
        (await _http.GetAsync(Json.KeyPath("get", "k"))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task an_unknown_encoding_is_400_naming_the_encoding_field()
    {
        var response = await _http.PostAsJsonAsync("/api/v1/cas", new { key = "k", expectedVersion = 0, value = "eA==", encoding = "hex" }, Json.Options);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.ProblemAsync()).GetProperty("errors").GetProperty("encoding")[0].GetString()!.ShouldContain("'hex'");
    }

    [Fact]
    public async Task a_binary_value_over_one_mebibyte_is_413_whichever_way_it_comes()
    {
        var tooMany = new byte[KeyRules.MaxValueBytes + 1];

        var raw = await _http.PutAsync(Json.KeyPath("set", "big"), Octets(tooMany));
        var base64 = await _http.PostAsJsonAsync("/api/v1/set", new { key = "big", value = Convert.ToBase64String(tooMany), encoding = "base64" }, Json.Options);
        var exactly = await _http.PutAsync(Json.KeyPath("set", "big"), Octets(new byte[KeyRules.MaxValueBytes]));

        raw.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await raw.ProblemAsync()).GetProperty("detail").GetString()!.ShouldContain("1048576");
        base64.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        exactly.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task compare_and_set_works_on_binary_values()
    {
        var created = await _http.PutAsync(Json.KeyPath("cas", "lock") + "?expectedVersion=0", Octets(Blob));
        created.StatusCode.ShouldBe(HttpStatusCode.OK);
        var version = (await created.BodyAsync<WriteResult>()).Version;

        var stale = await _http.PutAsync(Json.KeyPath("cas", "lock") + "?expectedVersion=0", Octets([1]));
        stale.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await stale.ProblemAsync()).GetProperty("currentVersion").GetInt64().ShouldBe(version);

        var next = await _http.PostAsJsonAsync("/api/v1/cas", new { key = "lock", expectedVersion = version, value = "AQI=", encoding = "base64" }, Json.Options);
        next.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var raw = await GetRawAsync("lock");
        (await raw.Content.ReadAsByteArrayAsync()).ShouldBe(new byte[] { 1, 2 });
    }

    [Fact]
    public async Task a_raw_compare_and_set_without_a_whole_expected_version_is_400()
    {
        var missing = await _http.PutAsync(Json.KeyPath("cas", "k"), Octets(Blob));
        var negative = await _http.PutAsync(Json.KeyPath("cas", "k") + "?expectedVersion=-1", Octets(Blob));
        var badTtl = await _http.PutAsync(Json.KeyPath("set", "k") + "?ttl=soon", Octets(Blob));

        missing.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await missing.ProblemAsync()).GetProperty("errors").TryGetProperty("expectedVersion", out _).ShouldBeTrue();
        negative.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        badTtl.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await badTtl.ProblemAsync()).GetProperty("errors").TryGetProperty("ttl", out _).ShouldBeTrue();
    }

    private static ByteArrayContent Octets(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    private Task<HttpResponseMessage> GetRawAsync(string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Json.KeyPath("get", key));
        request.Headers.Accept.ParseAdd("application/octet-stream");
        return _http.SendAsync(request);
    }
}
