using System.Net;

namespace NodeNomad.Client.Tests;

public sealed class AbsentKeys
{
    private static readonly object NotFound = new { status = 404, title = "Not Found", detail = "No key 'k'." };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task get_of_an_absent_key_is_null()
    {
        var node = new FakeNode().AnswersProblem(HttpStatusCode.NotFound, NotFound);

        (await node.Client().GetAsync("k", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task delete_of_an_absent_key_is_false()
    {
        var node = new FakeNode().AnswersProblem(HttpStatusCode.NotFound, NotFound);

        (await node.Client().DeleteAsync("k", Ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task ttl_of_an_absent_key_is_null()
    {
        var node = new FakeNode().AnswersProblem(HttpStatusCode.NotFound, NotFound);

        (await node.Client().GetTtlAsync("k", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task exists_of_an_absent_key_is_false()
    {
        var node = new FakeNode().AnswersJson(Answers.Exists("k", exists: false));

        (await node.Client().ExistsAsync("k", Ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task a_present_key_reads_back_with_its_version_and_ttl()
    {
        var node = new FakeNode()
            .AnswersJson(Answers.Value("k"))
            .AnswersJson(Answers.Exists("k", exists: true))
            .AnswersJson(Answers.Ttl("k"));
        var client = node.Client();

        var value = (await client.GetAsync("k", Ct)).ShouldNotBeNull();
        var exists = await client.ExistsAsync("k", Ct);
        var ttl = (await client.GetTtlAsync("k", Ct)).ShouldNotBeNull();

        value.Value.ShouldBe("v");
        value.Version.ShouldBe(3);
        exists.ShouldBeTrue();
        ttl.TtlSeconds.ShouldBe(42);
    }

    [Fact]
    public async Task a_404_from_an_endpoint_without_an_absent_answer_is_an_error()
    {
        var node = new FakeNode().Answers(_ => new HttpResponseMessage(HttpStatusCode.NotFound));

        var error = await Should.ThrowAsync<NodeNomadException>(() => node.Client().GetClusterInfoAsync(Ct));

        error.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
