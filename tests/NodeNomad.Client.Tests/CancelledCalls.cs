using System.Net;

namespace NodeNomad.Client.Tests;

public sealed class CancelledCalls
{
    [Fact]
    public async Task a_call_cancelled_while_its_answer_is_read_throws_the_cancellation_not_a_deserialization_error()
    {
        using var cancellation = new CancellationTokenSource();
        var node = new FakeNode().Answers(_ =>
        {
            // The answer's headers have arrived; the caller cancels before its body is read.
            cancellation.Cancel();
            return FakeNode.Json(HttpStatusCode.OK, """{"key":"k","version":1}""", "application/json");
        });

        var thrown = await Should.ThrowAsync<Exception>(() => node.Client().SetAsync("k", "v", cancellationToken: cancellation.Token));

        thrown.ShouldBeAssignableTo<OperationCanceledException>();
    }
}
