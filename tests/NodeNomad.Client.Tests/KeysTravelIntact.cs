using System.Text.Json;

namespace NodeNomad.Client.Tests;

public sealed class KeysTravelIntact
{
    public static TheoryData<string> TrickyKeys =>
    [
        "plain",
        "a/b",
        "/leading/and/trailing/",
        "a/../b",
        "./x",
        "...",
        "100%",
        "%2F",
        "%",
        "what?",
        "x#y",
        "a b",
        " ",
        "a+b",
        "&=;,",
        "back\\slash",
        "tab\there",
        "ключ",
        "日本語",
        "é😀",
        "~!*'()",
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TrickyKeys))]
    public async Task a_key_in_the_path_is_one_escaped_segment_that_decodes_to_the_key(string key)
    {
        var node = new FakeNode()
            .AnswersJson(Answers.Value(key))
            .AnswersJson(Answers.Deleted(key))
            .AnswersJson(Answers.Exists(key, exists: true))
            .AnswersJson(Answers.Ttl(key));
        var client = node.Client();

        await client.GetAsync(key, Ct);
        await client.DeleteAsync(key, Ct);
        await client.ExistsAsync(key, Ct);
        await client.GetTtlAsync(key, Ct);

        string[] endpoints = ["get", "delete", "exists", "ttl"];
        for (var i = 0; i < endpoints.Length; i++)
        {
            var uri = node.Requests[i].Uri;
            uri.AbsoluteUri.ShouldBe($"{FakeNode.Address}api/v1/{endpoints[i]}/{Uri.EscapeDataString(key)}");
            uri.Query.ShouldBeEmpty();
            uri.Fragment.ShouldBeEmpty();
            var segments = uri.AbsolutePath.Split('/');
            segments.Length.ShouldBe(5);
            Uri.UnescapeDataString(segments[^1]).ShouldBe(key);
        }
    }

    [Theory]
    [MemberData(nameof(TrickyKeys))]
    public async Task a_key_in_the_query_decodes_to_the_key(string key)
    {
        var node = new FakeNode().AnswersJson(Answers.Page(null));

        await node.Client().ListKeysAsync(prefix: key, after: key, limit: 5, Ct);

        var uri = node.LastRequest.Uri;
        uri.AbsolutePath.ShouldBe("/api/v1/keys");
        uri.Fragment.ShouldBeEmpty();
        var query = Query(uri);
        query["prefix"].ShouldBe(key);
        query["after"].ShouldBe(key);
        query["limit"].ShouldBe("5");
    }

    [Theory]
    [MemberData(nameof(TrickyKeys))]
    public async Task a_key_in_a_write_body_is_sent_verbatim(string key)
    {
        var node = new FakeNode().AnswersJson(Answers.Written);

        await node.Client().SetAsync(key, "v", cancellationToken: Ct);
        await node.Client().CompareAndSetAsync(key, 3, "v", cancellationToken: Ct);

        foreach (var request in node.Requests)
        {
            using var body = JsonDocument.Parse(request.Body!);
            body.RootElement.GetProperty("key").GetString().ShouldBe(key);
        }
    }

    [Fact]
    public async Task the_query_leaves_out_arguments_that_are_not_given()
    {
        var node = new FakeNode().AnswersJson(Answers.Page(null));

        await node.Client().ListKeysAsync(cancellationToken: Ct);

        node.LastRequest.Uri.PathAndQuery.ShouldBe("/api/v1/keys");
    }

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    public async Task a_dot_segment_key_is_refused_before_it_reaches_another_endpoint(string key)
    {
        var node = new FakeNode();
        var client = node.Client();

        await Should.ThrowAsync<ArgumentException>(() => client.GetAsync(key, Ct));
        await Should.ThrowAsync<ArgumentException>(() => client.DeleteAsync(key, Ct));
        await Should.ThrowAsync<ArgumentException>(() => client.ExistsAsync(key, Ct));
        await Should.ThrowAsync<ArgumentException>(() => client.GetTtlAsync(key, Ct));
        node.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task a_null_or_empty_key_is_refused_without_a_request()
    {
        var node = new FakeNode();
        var client = node.Client();

        await Should.ThrowAsync<ArgumentNullException>(() => client.GetAsync(null!, Ct));
        await Should.ThrowAsync<ArgumentException>(() => client.GetAsync("", Ct));
        await Should.ThrowAsync<ArgumentNullException>(() => client.SetAsync(null!, "v", cancellationToken: Ct));
        await Should.ThrowAsync<ArgumentException>(() => client.CompareAndSetAsync("", 1, "v", cancellationToken: Ct));
        await Should.ThrowAsync<ArgumentNullException>(() => client.SetAsync("k", null!, cancellationToken: Ct));
        node.Requests.ShouldBeEmpty();
    }

    private static Dictionary<string, string> Query(Uri uri) =>
        uri.Query.TrimStart('?')
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => Uri.UnescapeDataString(pair[0]), pair => Uri.UnescapeDataString(pair[1]));
}
