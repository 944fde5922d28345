using System.Net;
using NodeNomad.Contracts;
using NodeNomad.Node.Shards;
using Microsoft.Extensions.DependencyInjection;

namespace NodeNomad.Node.Tests;

/// <summary>Expiry is decided when the write is logged; an expired key vanishes at once and is purged by a logged command.</summary>
public sealed class TtlExpiryTests : IDisposable
{
    private readonly NodeFactory _node = new(new() { ["PURGE_INTERVAL_MS"] = "3600000", ["SHARD_COUNT"] = "1" }, clock: new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)));
    private readonly HttpClient _http;

    public TtlExpiryTests() => _http = _node.CreateClient();

    public void Dispose() => _node.Dispose();

    [Fact]
    public async Task an_expired_key_is_invisible_at_once_and_later_purged()
    {
        var written = await (await _http.SetAsync("short", "lived", ttl: 10)).BodyAsync<WriteResult>();
        written.ExpiresAt.ShouldBe(new DateTimeOffset(2026, 1, 1, 0, 0, 10, TimeSpan.Zero));
        await _http.SetAsync("long", "lived", ttl: 1000);

        _node.Clock!.Advance(TimeSpan.FromSeconds(9.999));
        (await _http.GetAsync(Json.KeyPath("get", "short"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await (await _http.GetAsync(Json.KeyPath("ttl", "short"))).BodyAsync<TtlResult>()).TtlSeconds.ShouldBe(1);

        _node.Clock.Advance(TimeSpan.FromMilliseconds(1));
        (await _http.GetAsync(Json.KeyPath("get", "short"))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await (await _http.GetAsync(Json.KeyPath("exists", "short"))).BodyAsync<ExistsResult>()).Exists.ShouldBeFalse();
        var listed = await (await _http.GetAsync(new Uri("/api/v1/keys", UriKind.Relative))).BodyAsync<KeyPage>();
        listed.Items.Select(i => i.Key).ShouldBe(["long"]);

        // Still held until the purge goes through the log.
        var shards = await (await _http.GetAsync(new Uri("/api/v1/cluster/shards", UriKind.Relative))).BodyAsync<ShardInfo[]>();
        shards[0].Keys.ShouldBe(2);
        var commitBefore = shards[0].CommitIndex;
        var purged = await _node.Services.GetRequiredService<ExpiryPurger>().PurgeOnceAsync(TestContext.Current.CancellationToken);
        purged.ShouldBe(1);
        shards = await (await _http.GetAsync(new Uri("/api/v1/cluster/shards", UriKind.Relative))).BodyAsync<ShardInfo[]>();
        shards[0].Keys.ShouldBe(1);
        shards[0].CommitIndex.ShouldBe(commitBefore + 1);
    }

    [Fact]
    public async Task an_expired_key_can_be_created_again_with_compare_and_set_from_version_zero()
    {
        await _http.SetAsync("lease", "holder-1", ttl: 5);
        _node.Clock!.Advance(TimeSpan.FromSeconds(6));
        var response = await _http.PostAsync(new Uri("/api/v1/cas", UriKind.Relative),
            System.Net.Http.Json.JsonContent.Create(new CasRequest("lease", 0, "holder-2", 5)), TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await (await _http.GetAsync(Json.KeyPath("get", "lease"))).BodyAsync<KeyValue>()).Value.ShouldBe("holder-2");
    }
}
