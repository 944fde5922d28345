using System.Text.Json;
using NodeNomad.Contracts;

namespace NodeNomad.Client.Tests;

public sealed class WritesCarryTheirArguments
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task set_posts_key_value_and_ttl_in_camel_case_and_returns_the_write()
    {
        var node = new FakeNode().AnswersJson("""{"key":"k","version":7,"expiresAt":"2030-01-01T00:00:00+00:00"}""");

        var result = await node.Client().SetAsync("k", "v", TimeSpan.FromSeconds(30), Ct);

        result.ShouldBe(new WriteResult("k", 7, new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        node.LastRequest.Method.ShouldBe(HttpMethod.Post);
        node.LastRequest.Uri.AbsolutePath.ShouldBe("/api/v1/set");
        using var body = JsonDocument.Parse(node.LastRequest.Body!);
        body.RootElement.GetProperty("key").GetString().ShouldBe("k");
        body.RootElement.GetProperty("value").GetString().ShouldBe("v");
        body.RootElement.GetProperty("ttl").GetInt64().ShouldBe(30);
    }

    [Fact]
    public async Task a_write_body_is_sent_with_its_length()
    {
        var node = new FakeNode().AnswersJson(Answers.Written);

        await node.Client().SetAsync("k", "v", cancellationToken: Ct);

        node.LastRequest.ContentLength.ShouldNotBeNull().ShouldBeGreaterThan(0);
    }

    [Theory]
    [InlineData(1500, 2)]
    [InlineData(1, 1)]
    [InlineData(60_000, 60)]
    public async Task a_ttl_is_rounded_up_to_whole_seconds(int milliseconds, long seconds)
    {
        var node = new FakeNode().AnswersJson(Answers.Written);

        await node.Client().SetAsync("k", "v", TimeSpan.FromMilliseconds(milliseconds), Ct);

        using var body = JsonDocument.Parse(node.LastRequest.Body!);
        body.RootElement.GetProperty("ttl").GetInt64().ShouldBe(seconds);
    }

    [Fact]
    public async Task no_ttl_is_sent_as_null()
    {
        var node = new FakeNode().AnswersJson(Answers.Written);

        await node.Client().SetAsync("k", "v", cancellationToken: Ct);

        using var body = JsonDocument.Parse(node.LastRequest.Body!);
        body.RootElement.GetProperty("ttl").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task compare_and_set_posts_the_expected_version()
    {
        var node = new FakeNode().AnswersJson(Answers.Written);

        var result = await node.Client().CompareAndSetAsync("k", 0, "v", TimeSpan.FromSeconds(5), Ct);

        result.Version.ShouldBe(7);
        node.LastRequest.Uri.AbsolutePath.ShouldBe("/api/v1/cas");
        using var body = JsonDocument.Parse(node.LastRequest.Body!);
        body.RootElement.GetProperty("expectedVersion").GetInt64().ShouldBe(0);
        body.RootElement.GetProperty("value").GetString().ShouldBe("v");
        body.RootElement.GetProperty("ttl").GetInt64().ShouldBe(5);
    }

    [Fact]
    public async Task delete_uses_the_delete_method()
    {
        var node = new FakeNode().AnswersJson(Answers.Deleted("k"));

        (await node.Client().DeleteAsync("k", Ct)).ShouldBeTrue();

        node.LastRequest.Method.ShouldBe(HttpMethod.Delete);
    }
}
