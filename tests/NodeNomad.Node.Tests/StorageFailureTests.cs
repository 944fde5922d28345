using System.Net;
using System.Text.Json;
using NodeNomad.Raft;
using NodeNomad.Storage;

namespace NodeNomad.Node.Tests;

/// <summary>When the log cannot make a write durable, the write is not acknowledged and the replica stops until restarted.</summary>
public sealed class StorageFailureTests
{
    [Fact]
    public async Task a_failed_fsync_is_503_and_the_node_serves_nothing_until_restarted()
    {
        FailingLog? failing = null;
        using var node = new NodeFactory(wrapLog: inner => failing = new FailingLog(inner));
        var http = node.CreateClient();
        (await http.SetAsync("before", "ok")).StatusCode.ShouldBe(HttpStatusCode.OK);

        failing!.Fail = true;
        var refused = await http.SetAsync("during", "lost?");
        refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        refused.Headers.RetryAfter.ShouldNotBeNull();
        (await refused.ProblemAsync()).GetProperty("detail").GetString()!.ShouldContain("log failed");

        // Even once the disk would work again, the node does not guess what reached it: a Raft replica that may
        // have forgotten what it acknowledged must not vote, append or serve until a restart recovers its log.
        failing.Fail = false;
        (await http.SetAsync("after", "no")).StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await http.GetAsync(Json.KeyPath("get", "before"))).StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);

        var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
        ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var info = await (await http.GetAsync(new Uri("/api/v1/cluster/info", UriKind.Relative))).BodyAsync<JsonElement>();
        info.GetProperty("health").GetString().ShouldBe("unavailable");

        node.Dispose();
        using var restarted = node.Restart();
        var again = restarted.CreateClient();
        (await again.GetAsync(Json.KeyPath("get", "before"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await again.GetAsync(Json.KeyPath("get", "during"))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await again.SetAsync("after", "yes")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private sealed class FailingLog(IRaftLog inner) : IRaftLog
    {
        public volatile bool Fail;

        public LogStatistics Statistics => inner.Statistics;

        public Task<RecoveredLog> RecoverAsync(CancellationToken cancellationToken = default) => inner.RecoverAsync(cancellationToken);

        public Task SaveAsync(LogBatch batch, CancellationToken cancellationToken = default) =>
            Fail ? throw new IOException("Simulated: fsync failed (EIO).") : inner.SaveAsync(batch, cancellationToken);

        public Task CompactAsync(ulong groupId, Snapshot snapshot, CancellationToken cancellationToken = default) =>
            inner.CompactAsync(groupId, snapshot, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
