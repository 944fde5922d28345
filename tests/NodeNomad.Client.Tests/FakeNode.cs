using System.Net;
using System.Text;
using System.Text.Json;

namespace NodeNomad.Client.Tests;

/// <summary>A request as the fake node received it.</summary>
internal sealed record ReceivedRequest(HttpMethod Method, Uri Uri, string? Body, long? ContentLength)
{
    /// <summary>The request's Authorization header, or null.</summary>
    public string? Authorization { get; init; }
}

/// <summary>
/// An <see cref="HttpMessageHandler"/> standing in for a node: it records every request and answers from a
/// script, the last scripted answer repeating once the script runs out.
/// </summary>
internal sealed class FakeNode : HttpMessageHandler
{
    public static readonly Uri Address = new("http://node-1.test:3001");

    private readonly Queue<Func<HttpRequestMessage, HttpResponseMessage>> script = new();
    private Func<HttpRequestMessage, HttpResponseMessage> last = _ => new HttpResponseMessage(HttpStatusCode.NotImplemented);

    public List<ReceivedRequest> Requests { get; } = [];

    public ReceivedRequest LastRequest => Requests[^1];

    public NodeNomadClient Client() => NodeNomadClient.Create(new HttpClient(this) { BaseAddress = Address });

    public FakeNode Answers(Func<HttpRequestMessage, HttpResponseMessage> answer)
    {
        script.Enqueue(answer);
        return this;
    }

    public FakeNode AnswersJson(string json, HttpStatusCode status = HttpStatusCode.OK) =>
        Answers(_ => Json(status, json, "application/json"));

    public FakeNode AnswersProblem(HttpStatusCode status, object problem, Action<HttpResponseMessage>? decorate = null) =>
        Answers(_ =>
        {
            var response = Json(status, JsonSerializer.Serialize(problem), "application/problem+json");
            decorate?.Invoke(response);
            return response;
        });

    public FakeNode Throws(Exception exception) => Answers(_ => throw exception);

    public static HttpResponseMessage Json(HttpStatusCode status, string json, string mediaType) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, mediaType) };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Add(new ReceivedRequest(request.Method, request.RequestUri!, body, request.Content?.Headers.ContentLength) { Authorization = request.Headers.Authorization?.ToString() });
        if (script.Count > 0)
        {
            last = script.Dequeue();
        }

        var response = last(request);
        response.RequestMessage = request;
        return response;
    }
}
