using System.Net;
using System.Net.Http.Json;
using NodeNomad.Contracts;

namespace NodeNomad.Node.Tests;

public sealed class KeyValueApiTests : IDisposable
{
    private readonly NodeFactory _node = new();
    private readonly HttpClient _http;

    public KeyValueApiTests() => _http = _node.CreateClient();

    public void Dispose() => _node.Dispose();

    [Fact]
    public async Task a_set_key_reads_back_with_its_version()
    {
        var set = await _http.SetAsync("greeting", "hello");
        set.StatusCode.ShouldBe(HttpStatusCode.OK);
        var written = await set.BodyAsync<WriteResult>();
        written.Key.ShouldBe("greeting");
        written.Version.ShouldBeGreaterThan(0);
        written.ExpiresAt.ShouldBeNull();

        var got = await (await _http.GetAsync(Json.KeyPath("get", "greeting"))).BodyAsync<KeyValue>();
        got.ShouldBe(new KeyValue("greeting", "hello", written.Version, null));
    }

    [Fact]
    public async Task overwriting_a_key_bumps_its_version()
    {
        var first = await (await _http.SetAsync("k", "1")).BodyAsync<WriteResult>();
        var second = await (await _http.SetAsync("k", "2")).BodyAsync<WriteResult>();
        second.Version.ShouldBeGreaterThan(first.Version);
        (await (await _http.GetAsync(Json.KeyPath("get", "k"))).BodyAsync<KeyValue>()).Value.ShouldBe("2");
    }

    [Fact]
    public async Task a_missing_key_is_404_with_a_problem()
    {
        var response = await _http.GetAsync(Json.KeyPath("get", "nope"));
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var problem = await response.ProblemAsync();
        problem.GetProperty("status").GetInt32().ShouldBe(404);
        problem.GetProperty("key").GetString().ShouldBe("nope");
    }

    [Fact]
    public async Task exists_tells_present_from_absent()
    {
        await _http.SetAsync("here", "x");
        (await (await _http.GetAsync(Json.KeyPath("exists", "here"))).BodyAsync<ExistsResult>()).Exists.ShouldBeTrue();
        var absent = await (await _http.GetAsync(Json.KeyPath("exists", "gone"))).BodyAsync<ExistsResult>();
        absent.Exists.ShouldBeFalse();
        absent.Version.ShouldBeNull();
    }

    [Fact]
    public async Task delete_removes_the_key_and_a_second_delete_is_404()
    {
        await _http.SetAsync("doomed", "x");
        var deleted = await _http.DeleteAsync(Json.KeyPath("delete", "doomed"));
        deleted.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await deleted.BodyAsync<DeleteResult>()).Key.ShouldBe("doomed");
        (await _http.GetAsync(Json.KeyPath("get", "doomed"))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await _http.DeleteAsync(Json.KeyPath("delete", "doomed"))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task compare_and_set_writes_only_on_the_expected_version()
    {
        var created = await _http.PostAsJsonAsync("/api/v1/cas", new CasRequest("counter", 0, "1"));
        created.StatusCode.ShouldBe(HttpStatusCode.OK);
        var v1 = (await created.BodyAsync<WriteResult>()).Version;

        var stale = await _http.PostAsJsonAsync("/api/v1/cas", new CasRequest("counter", v1 + 1000, "x"));
        stale.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var problem = await stale.ProblemAsync();
        problem.GetProperty("currentVersion").GetInt64().ShouldBe(v1);

        var again = await _http.PostAsJsonAsync("/api/v1/cas", new CasRequest("counter", 0, "x"));
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);

        var next = await _http.PostAsJsonAsync("/api/v1/cas", new CasRequest("counter", v1, "2"));
        next.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await (await _http.GetAsync(Json.KeyPath("get", "counter"))).BodyAsync<KeyValue>()).Value.ShouldBe("2");
    }

    [Fact]
    public async Task set_with_ttl_reports_its_expiry_and_remaining_seconds()
    {
        var written = await (await _http.SetAsync("session", "s", ttl: 60)).BodyAsync<WriteResult>();
        written.ExpiresAt.ShouldNotBeNull();
        written.ExpiresAt!.Value.ShouldBeInRange(DateTimeOffset.UtcNow.AddSeconds(55), DateTimeOffset.UtcNow.AddSeconds(61));
        var ttl = await (await _http.GetAsync(Json.KeyPath("ttl", "session"))).BodyAsync<TtlResult>();
        ttl.TtlSeconds!.Value.ShouldBeInRange(55, 60);
        var forever = await (await _http.SetAsync("forever", "f")).BodyAsync<WriteResult>();
        forever.ExpiresAt.ShouldBeNull();
    }

    [Fact]
    public async Task keys_are_listed_by_prefix_in_pages_that_follow_the_cursor()
    {
        for (var i = 0; i < 25; i++)
        {
            await _http.SetAsync($"user/{i:D2}", "u");
        }

        await _http.SetAsync("other", "o");
        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var url = $"/api/v1/keys?prefix={Uri.EscapeDataString("user/")}&limit=10" + (after is null ? string.Empty : $"&after={Uri.EscapeDataString(after)}");
            var page = await (await _http.GetAsync(new Uri(url, UriKind.Relative))).BodyAsync<KeyPage>();
            seen.AddRange(page.Items.Select(i => i.Key));
            after = page.NextCursor;
            pages++;
        }
        while (after is not null);

        pages.ShouldBe(3);
        seen.ShouldBe(Enumerable.Range(0, 25).Select(i => $"user/{i:D2}"));
    }
}
