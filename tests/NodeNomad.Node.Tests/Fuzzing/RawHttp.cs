using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace NodeNomad.Node.Tests.Fuzzing;

/// <summary>
/// HTTP/1.1 by hand over a socket, for requests no HTTP client would send: bytes that are not UTF-8 in the request
/// target, bodies shorter than their Content-Length, broken chunks. Each request asks the server to close the
/// connection after the answer, so the answer is everything read until then.
/// </summary>
internal static class RawHttp
{
    /// <summary>What came back: the status and the body, or no status when the server closed without answering.</summary>
    public sealed record Answer(int? Status, string? MediaType, byte[] Body, string Head);

    /// <summary>A request of <paramref name="method"/> on <paramref name="target"/> (bytes as they go on the wire) with headers and a body.</summary>
    public static byte[] Request(string method, byte[] target, IEnumerable<string> headers, byte[]? body = null, bool contentLength = true)
    {
        var head = new StringBuilder().Append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        foreach (var header in headers)
        {
            head.Append(header).Append("\r\n");
        }

        if (body is not null && contentLength)
        {
            head.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n");
        }

        head.Append("\r\n");
        return [.. Encoding.ASCII.GetBytes(method + " "), .. target, .. Encoding.Latin1.GetBytes(head.ToString()), .. body ?? []];
    }

    /// <summary>A request target from text, with <c>\xNN</c> standing for a raw byte.</summary>
    public static byte[] Target(string text)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 3 < text.Length && text[i + 1] == 'x')
            {
                bytes.Add(byte.Parse(text.AsSpan(i + 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 3;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text, i, 1));
            }
        }

        return [.. bytes];
    }

    /// <summary>
    /// Sends <paramref name="request"/> to 127.0.0.1:<paramref name="port"/>, half-closes when told to (a body cut
    /// short), and reads until the server closes, for 10 s at most.
    /// </summary>
    public static async Task<Answer> SendAsync(int port, byte[] request, bool halfClose = false)
    {
        using var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        await client.ConnectAsync("127.0.0.1", port, timeout.Token);
        var stream = client.GetStream();
        var received = new MemoryStream();
        try
        {
            await stream.WriteAsync(request, timeout.Token);
            if (halfClose)
            {
                client.Client.Shutdown(SocketShutdown.Send);
            }

            await stream.CopyToAsync(received, timeout.Token);
        }
        catch (IOException)
        {
            // The server reset the connection: what it sent before counts.
        }

        return Parse(received.ToArray());
    }

    private static Answer Parse(byte[] response)
    {
        var end = response.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return new Answer(null, null, [], Encoding.Latin1.GetString(response));
        }

        var head = Encoding.Latin1.GetString(response, 0, end);
        var lines = head.Split("\r\n");
        var status = lines[0].Split(' ') is [_, var code, ..] && int.TryParse(code, CultureInfo.InvariantCulture, out var parsed) ? parsed : (int?)null;
        string? Header(string name) => lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            .Select(p => p[1].Trim()).FirstOrDefault();
        var body = response[(end + 4)..];
        if (Header("Transfer-Encoding") is { } encoding && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Dechunk(body);
        }

        var mediaType = Header("Content-Type")?.Split(';')[0].Trim();
        return new Answer(status, mediaType, body, head);
    }

    private static byte[] Dechunk(byte[] chunked)
    {
        var body = new MemoryStream();
        var at = 0;
        while (at < chunked.Length)
        {
            var lineEnd = chunked.AsSpan(at).IndexOf("\r\n"u8);
            if (lineEnd < 0 || !int.TryParse(Encoding.ASCII.GetString(chunked, at, lineEnd).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var size) || size == 0)
            {
                break;
            }

            at += lineEnd + 2;
            body.Write(chunked, at, Math.Min(size, chunked.Length - at));
            at += size + 2;
        }

        return body.ToArray();
    }
}
