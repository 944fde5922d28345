using System.Net;
using System.Text;
using NodeNomad.Node.Security;
using NodeNomad.Node.Tests.Security;
using NodeNomad.Node.Tests.Transport;
using NodeNomad.Testing;

namespace NodeNomad.Node.Tests.Fuzzing;

/// <summary>A real node process enforcing credentials, with values it acknowledged before any test sent it garbage.</summary>
public sealed class FuzzedNodeProcess : IAsyncLifetime
{
    public NodeProcess Process { get; private set; } = null!;

    public HttpClient Admin { get; private set; } = null!;

    internal AcknowledgedWrites Acknowledged { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Process = await NodeProcess.StartAsync(environment: new Dictionary<string, string> { [ClientAccessOptions.Keys.AdminToken] = SecuredNode.AdminToken });
        Admin = SecuredNode.Client(Process.BaseAddress, SecuredNode.AdminToken);
        Acknowledged = await AcknowledgedWrites.WriteAsync(Admin, 5, new Random(5));
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await Process.DisposeAsync();
    }
}

/// <summary>
/// Requests as bytes on the client port's socket, which no HTTP client sends: request targets that are not UTF-8,
/// overlong and surrogate percent-escapes, bodies cut short or lying about their length, broken chunks, odd charsets.
/// What reaches the API is answered with a 4xx ProblemDetails; what the HTTP server itself refuses (a request line it
/// cannot parse) is a bodiless 4xx or a closed connection, never a 5xx but the one HTTP prescribes for a request line
/// whose version is not HTTP/1.x (505, bodiless, from Kestrel's parser before any of the node's code); and the node
/// serves on, its data intact.
/// </summary>
[Collection(LocalClusters.Name)]
public sealed class ClientPortRawRequestTests(FuzzedNodeProcess node, ITestOutputHelper output) : IClassFixture<FuzzedNodeProcess>
{
    /// <summary>What a row must be answered: a ProblemDetails from the API, or anything but a server error.</summary>
    public enum Expect
    {
        Problem,
        NoServerError,
    }

    private static readonly string Credential = $"Authorization: Bearer {SecuredNode.AdminToken}";

    private static byte[] Get(string target, params string[] headers) => RawHttp.Request("GET", RawHttp.Target(target), [Credential, .. headers]);

    private static byte[] Send(string method, string target, string contentType, byte[] body, params string[] headers) =>
        RawHttp.Request(method, RawHttp.Target(target), [Credential, $"Content-Type: {contentType}", .. headers], body);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static TheoryData<string, Expect> Rows()
    {
        var rows = new TheoryData<string, Expect>();
        foreach (var (name, row) in Table)
        {
            rows.Add(name, row.Expect);
        }

        return rows;
    }

    private static readonly Dictionary<string, (byte[] Request, Expect Expect, bool HalfClose)> Table = new()
    {
        ["overlong escape of '/'"] = (Get("/api/v1/get/%C0%AF"), Expect.Problem, false),
        ["three-byte overlong escape"] = (Get("/api/v1/get/%E0%80%AF"), Expect.Problem, false),
        ["escaped lone surrogate"] = (Get("/api/v1/get/%ED%A0%80"), Expect.Problem, false),
        ["escapes that are not UTF-8"] = (Get("/api/v1/get/%FF%FE"), Expect.Problem, false),
        ["raw bytes that are not UTF-8"] = (Get("/api/v1/get/\\xFF\\xFE"), Expect.NoServerError, false),
        ["raw overlong bytes"] = (Get("/api/v1/get/\\xC0\\xAF"), Expect.NoServerError, false),
        ["escaped NUL"] = (Get("/api/v1/get/%00"), Expect.NoServerError, false),
        ["escaped slash"] = (Get("/api/v1/get/a%2Fb"), Expect.Problem, false),
        ["dot segments"] = (Get("/api/v1/get/../../../etc/passwd"), Expect.Problem, false),
        ["escaped dot segments"] = (Get("/api/v1/get/%2e%2e/%2e%2e/nothing"), Expect.NoServerError, false),
        ["a lone percent"] = (RawHttp.Request("DELETE", RawHttp.Target("/api/v1/delete/%"), [Credential]), Expect.Problem, false),
        ["a doubled percent"] = (Get("/api/v1/get/%%41"), Expect.Problem, false),
        ["a control character in the target"] = (Get("/api/v1/get/a\\x01b"), Expect.NoServerError, false),
        ["an absolute-form target"] = (Get("http://elsewhere.example/api/v1/cluster/info"), Expect.NoServerError, false),
        ["an asterisk target"] = (RawHttp.Request("OPTIONS", RawHttp.Target("*"), [Credential]), Expect.NoServerError, false),
        ["a 40 KB header"] = (Get("/api/v1/get/k", "X-Padding: " + new string('p', 40_000)), Expect.NoServerError, false),
        ["a credential that is not ASCII"] = (RawHttp.Request("GET", RawHttp.Target("/api/v1/get/k"), ["Authorization: Bearer \u00ff\u00fe\u00e9"]), Expect.NoServerError, false),
        ["absurd query values"] = (Get("/api/v1/keys?limit=%FF&prefix=%C0%AF&after=%ED%A0%80&shard=-0"), Expect.Problem, false),
        ["a decisions limit that is not a number"] = (Get("/api/v1/cluster/rebalancer/decisions?limit=abc"), Expect.Problem, false),
        ["a decisions limit past 32 bits"] = (Get("/api/v1/cluster/rebalancer/decisions?limit=99999999999"), Expect.Problem, false),
        ["a migration id that is not UTF-8"] = (Get("/api/v1/cluster/migrations/%FF"), Expect.Problem, false),
        ["a text value that is not UTF-8"] = (Send("PUT", "/api/v1/set/raw-key", "text/plain", [0xFF, 0xFE, 0x41]), Expect.Problem, false),
        ["a JSON key that is not UTF-8"] = (Send("POST", "/api/v1/set", "application/json", [.. Utf8("{\"key\":\"k"), 0xFF, .. Utf8("\",\"value\":\"v\"}")]), Expect.Problem, false),
        ["JSON in an unknown charset"] = (Send("POST", "/api/v1/set", "application/json; charset=bogus", Utf8("{\"key\":\"k\",\"value\":\"v\"}")), Expect.Problem, false),
        ["JSON said to be UTF-16"] = (Send("POST", "/api/v1/set", "application/json; charset=utf-16", Utf8("{\"key\":\"k\",\"value\":\"v\"}")), Expect.NoServerError, false),
        ["a ttl past a double"] = (Send("POST", "/api/v1/set", "application/json", Utf8("{\"key\":\"k\",\"value\":\"v\",\"ttl\":1e400}")), Expect.Problem, false),
        ["a shard past a double"] = (Send("POST", "/api/v1/cluster/migrate", "application/json", Utf8("{\"shardId\":1e400,\"targetNodeId\":\"node-1\"}")), Expect.Problem, false),
        ["a key name of 10 000 characters"] = (Send("POST", "/api/v1/admin/keys", "application/json", Utf8($"{{\"name\":\"{new string('n', 10_000)}\",\"scopes\":[\"read\"]}}")), Expect.Problem, false),
        ["a negative expected version in the query"] = (Send("PUT", "/api/v1/cas/k?expectedVersion=-1", "text/plain", Utf8("v")), Expect.Problem, false),
        ["a ttl of 1e309 in the query"] = (Send("PUT", "/api/v1/set/k?ttl=1e309", "text/plain", Utf8("v")), Expect.Problem, false),
        ["a body shorter than its length"] = (RawHttp.Request("POST", RawHttp.Target("/api/v1/set"), [Credential, "Content-Type: application/json", "Content-Length: 100"], Utf8("{\"key\":\"k\","), contentLength: false), Expect.NoServerError, true),
        ["a raw value shorter than its length"] = (RawHttp.Request("PUT", RawHttp.Target("/api/v1/set/short"), [Credential, "Content-Type: application/octet-stream", "Content-Length: 1000"], [1, 2, 3], contentLength: false), Expect.NoServerError, true),
        ["a chunk size that is not hex"] = (RawHttp.Request("POST", RawHttp.Target("/api/v1/set"), [Credential, "Content-Type: application/json", "Transfer-Encoding: chunked"], Utf8("zz\r\n{}\r\n0\r\n\r\n"), contentLength: false), Expect.Problem, false),
        ["a chunk announcing a gigabyte"] = (RawHttp.Request("PUT", RawHttp.Target("/api/v1/set/chunky"), [Credential, "Content-Type: application/octet-stream", "Transfer-Encoding: chunked"], Utf8("40000000\r\nabc"), contentLength: false), Expect.NoServerError, true),
        ["a negative content length"] = (RawHttp.Request("POST", RawHttp.Target("/api/v1/set"), [Credential, "Content-Type: application/json", "Content-Length: -1"], Utf8("{}"), contentLength: false), Expect.NoServerError, false),
        ["both a length and chunks"] = (RawHttp.Request("POST", RawHttp.Target("/api/v1/set"), [Credential, "Content-Type: application/json", "Content-Length: 5", "Transfer-Encoding: chunked"], Utf8("2\r\n{}\r\n0\r\n\r\n"), contentLength: false), Expect.NoServerError, false),
        ["an escaped NUL as a JSON key"] = (Send("POST", "/api/v1/set", "application/json", Utf8("{\"key\":\"\\u0000\",\"value\":\"v\"}")), Expect.NoServerError, false),
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task a_malformed_request_on_the_socket_is_refused_without_a_server_error(string row, Expect expect)
    {
        var (request, _, halfClose) = Table[row];

        var answer = await RawHttp.SendAsync(node.Process.Port, request, halfClose);

        output.WriteLine($"{row}: {answer.Head.Split("\r\n")[0]} {Encoding.UTF8.GetString(answer.Body)}");
        if (expect == Expect.Problem)
        {
            answer.Status.ShouldNotBeNull($"{row}: the node closed the connection without an answer");
            answer.Status.Value.ShouldBeInRange(400, 499, row);
        }

        if (answer.Status is { } status && (status >= 500 || expect == Expect.Problem || answer.Body.Length > 0))
        {
            ProblemAnswer.Fault(status, answer.MediaType, answer.Body).ShouldBeNull(row);
        }

        node.Process.IsRunning.ShouldBeTrue($"the node exited after {row}");
        using var ready = await node.Admin.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken);
        ready.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    /// <summary>Whether the request line still ends in HTTP/1.1, so that a 505 could not be the parser's answer to its version.</summary>
    private static bool VersionIntact(byte[] request)
    {
        var line = request.AsSpan(0, Math.Max(0, request.AsSpan().IndexOf("\r\n"u8)));
        return line.EndsWith(" HTTP/1.1"u8);
    }

    [Fact]
    public async Task seeded_corruptions_of_valid_requests_never_meet_a_server_error_and_leave_acknowledged_data_intact()
    {
        var seed = RandomMessages.Seed(output, GetType());
        var random = new Random(seed);
        byte[][] valid =
        [
            Send("POST", "/api/v1/set", "application/json", Utf8("{\"key\":\"fuzz-a\",\"value\":\"v\",\"ttl\":60}")),
            Send("PUT", "/api/v1/set/fuzz-b?ttl=60", "application/octet-stream", [1, 2, 3, 4]),
            Send("POST", "/api/v1/cas", "application/json", Utf8("{\"key\":\"fuzz-c\",\"expectedVersion\":0,\"value\":\"v\"}")),
            Get("/api/v1/get/fuzz-a?consistency=stale", "Accept: application/octet-stream"),
            Get("/api/v1/keys?prefix=fuzz&limit=10"),
            RawHttp.Request("DELETE", RawHttp.Target("/api/v1/delete/fuzz-b"), [Credential]),
        ];
        var faults = new List<string>();
        for (var i = 0; i < 150; i++)
        {
            var request = (byte[])valid[random.Next(valid.Length)].Clone();
            for (var flips = 1 + random.Next(4); flips > 0; flips--)
            {
                request[random.Next(request.Length)] = (byte)random.Next(256);
            }

            var answer = await RawHttp.SendAsync(node.Process.Port, request, halfClose: true);
            var versionRefused = answer is { Status: 505, Body.Length: 0 } && !VersionIntact(request);
            if (answer.Status is { } status && !versionRefused && (status >= 500 || answer.Body.Length > 0) && ProblemAnswer.Fault(status, answer.MediaType, answer.Body) is { } fault)
            {
                faults.Add($"#{i} {Encoding.Latin1.GetString(request[..Math.Min(120, request.Length)]).ReplaceLineEndings("⏎")} → {fault}");
            }
        }

        faults.ShouldBeEmpty($"seed {seed}:\n{string.Join("\n", faults.Take(20))}");
        node.Process.IsRunning.ShouldBeTrue();
        (await node.Acknowledged.DifferencesAsync(node.Admin)).ShouldBeEmpty($"seed {seed}: acknowledged values changed");
    }
}
