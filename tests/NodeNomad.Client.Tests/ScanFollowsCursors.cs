
namespace NodeNomad.Client.Tests;

public sealed class ScanFollowsCursors
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task scan_reads_every_page_in_order_until_there_is_no_next_cursor()
    {
        var node = new FakeNode()
            .AnswersJson(Answers.Page("user/b", "user/a", "user/b"))
            .AnswersJson(Answers.Page("user/d", "user/c", "user/d"))
            .AnswersJson(Answers.Page(null, "user/e"));

        var keys = new List<string>();
        await foreach (var item in node.Client().ScanAsync("user/", pageSize: 2, Ct))
        {
            keys.Add(item.Key);
        }

        keys.ShouldBe(["user/a", "user/b", "user/c", "user/d", "user/e"]);
        node.Requests.Select(r => r.Uri.PathAndQuery).ShouldBe(
        [
            "/api/v1/keys?prefix=user%2F&limit=2",
            "/api/v1/keys?prefix=user%2F&after=user%2Fb&limit=2",
            "/api/v1/keys?prefix=user%2F&after=user%2Fd&limit=2",
        ]);
    }

    [Fact]
    public async Task scan_of_an_empty_range_makes_one_request_and_yields_nothing()
    {
        var node = new FakeNode().AnswersJson(Answers.Page(null));

        var count = 0;
        await foreach (var _ in node.Client().ScanAsync(cancellationToken: Ct))
        {
            count++;
        }

        count.ShouldBe(0);
        node.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task scan_reads_pages_only_as_far_as_the_caller_goes()
    {
        var node = new FakeNode()
            .AnswersJson(Answers.Page("b", "a", "b"))
            .AnswersJson(Answers.Page(null, "c"));

        await foreach (var item in node.Client().ScanAsync(cancellationToken: Ct))
        {
            item.Key.ShouldBe("a");
            break;
        }

        node.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task scan_stops_with_an_error_when_the_cursor_does_not_move()
    {
        var node = new FakeNode()
            .AnswersJson(Answers.Page("b", "a", "b"))
            .AnswersJson(Answers.Page("b"));

        await Should.ThrowAsync<InvalidOperationException>(async () =>
        {
            await foreach (var _ in node.Client().ScanAsync(cancellationToken: Ct))
            {
            }
        });
        node.Requests.Count.ShouldBe(2);
    }
}
