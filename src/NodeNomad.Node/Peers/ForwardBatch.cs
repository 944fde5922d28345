using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace NodeNomad.Node.Peers;

/// <summary>
/// The binary form of forwarded key requests that travel together: many client requests for shards one node leads go
/// to it as one peer request, and come back as one answer, instead of one HTTP/2 request each. A request is what the
/// single forward carried (method, target, hops, Accept, Content-Type, body); an answer what the leader's endpoint
/// wrote (status, Content-Type, the relayed headers, body).
/// </summary>
public static class ForwardBatch
{
    /// <summary>Where a node serves batches of forwarded requests, on the peer port.</summary>
    public const string Path = "/peer/v1/forward";

    /// <summary>The most requests one batch carries.</summary>
    public const int MaxItems = 256;

    /// <summary>The most bytes one batch's requests carry; a batch is closed early rather than grow past it.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    /// <summary>One forwarded request.</summary>
    public sealed record Item(string Method, string Target, int Hops, string? Accept, string? ContentType, byte[]? Body);

    /// <summary>One request's answer.</summary>
    public sealed record Answer(int Status, string? ContentType, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body);

    /// <summary>
    /// Whether a request may travel in a batch: the single-key reads and JSON writes, whose handlers serve a request
    /// without anything but its method, target, media types and body. Every other request is forwarded on its own.
    /// </summary>
    public static bool Carries(string method, string path) =>
        (HttpMethods.IsPost(method) && (path.Equals("/api/v1/set", StringComparison.OrdinalIgnoreCase) || path.Equals("/api/v1/cas", StringComparison.OrdinalIgnoreCase)))
        || (HttpMethods.IsGet(method) && (path.StartsWith("/api/v1/get/", StringComparison.OrdinalIgnoreCase)
            || path.StartsWith("/api/v1/exists/", StringComparison.OrdinalIgnoreCase)
            || path.StartsWith("/api/v1/ttl/", StringComparison.OrdinalIgnoreCase)))
        || (HttpMethods.IsDelete(method) && path.StartsWith("/api/v1/delete/", StringComparison.OrdinalIgnoreCase));

    /// <summary>Writes <paramref name="items"/> as one batch.</summary>
    public static void WriteItems(IBufferWriter<byte> output, IReadOnlyList<Item> items)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(items);
        WriteInt(output, items.Count);
        foreach (var item in items)
        {
            WriteString(output, item.Method);
            WriteString(output, item.Target);
            WriteInt(output, item.Hops);
            WriteString(output, item.Accept);
            WriteString(output, item.ContentType);
            WriteBytes(output, item.Body);
        }
    }

    /// <summary>Reads a batch of requests; a <see cref="FormatException"/> says what is wrong with it.</summary>
    public static List<Item> ReadItems(ReadOnlySpan<byte> input)
    {
        var reader = new Reader(input);
        var count = reader.Count(MaxItems);
        var items = new List<Item>(count);
        for (var i = 0; i < count; i++)
        {
            items.Add(new Item(reader.String() ?? throw new FormatException($"Request {i} has no method."),
                reader.String() ?? throw new FormatException($"Request {i} has no target."),
                reader.Int(), reader.String(), reader.String(), reader.Bytes()));
        }

        reader.End();
        return items;
    }

    /// <summary>Writes <paramref name="answers"/>, in the order of the requests they answer.</summary>
    public static void WriteAnswers(IBufferWriter<byte> output, IReadOnlyList<Answer> answers)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(answers);
        WriteInt(output, answers.Count);
        foreach (var answer in answers)
        {
            WriteInt(output, answer.Status);
            WriteString(output, answer.ContentType);
            WriteInt(output, answer.Headers.Count);
            foreach (var (name, value) in answer.Headers)
            {
                WriteString(output, name);
                WriteString(output, value);
            }

            WriteBytes(output, answer.Body);
        }
    }

    /// <summary>Reads a batch's answers; a <see cref="FormatException"/> says what is wrong with them.</summary>
    public static List<Answer> ReadAnswers(ReadOnlySpan<byte> input)
    {
        var reader = new Reader(input);
        var count = reader.Count(MaxItems);
        var answers = new List<Answer>(count);
        for (var i = 0; i < count; i++)
        {
            var status = reader.Int();
            var contentType = reader.String();
            var headerCount = reader.Count(64);
            var headers = new List<KeyValuePair<string, string>>(headerCount);
            for (var h = 0; h < headerCount; h++)
            {
                headers.Add(KeyValuePair.Create(reader.String() ?? string.Empty, reader.String() ?? string.Empty));
            }

            answers.Add(new Answer(status, contentType, headers, reader.Bytes() ?? []));
        }

        reader.End();
        return answers;
    }

    private static void WriteInt(IBufferWriter<byte> output, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(4), value);
        output.Advance(4);
    }

    // A length of -1 is null.
    private static void WriteString(IBufferWriter<byte> output, string? value)
    {
        if (value is null)
        {
            WriteInt(output, -1);
            return;
        }

        var length = Encoding.UTF8.GetByteCount(value);
        WriteInt(output, length);
        Encoding.UTF8.GetBytes(value, output.GetSpan(length));
        output.Advance(length);
    }

    private static void WriteBytes(IBufferWriter<byte> output, byte[]? value)
    {
        if (value is null)
        {
            WriteInt(output, -1);
            return;
        }

        WriteInt(output, value.Length);
        output.Write(value);
    }

    private ref struct Reader(ReadOnlySpan<byte> input)
    {
        private readonly ReadOnlySpan<byte> _input = input;
        private int _at;

        public int Int()
        {
            if (_input.Length - _at < 4)
            {
                throw new FormatException($"The batch ends inside a number, at byte {_at}.");
            }

            var value = BinaryPrimitives.ReadInt32LittleEndian(_input[_at..]);
            _at += 4;
            return value;
        }

        public int Count(int most)
        {
            var count = Int();
            return count >= 0 && count <= most ? count : throw new FormatException($"A count of {count} is outside 0 to {most}.");
        }

        public string? String() => Span() is { } span ? Encoding.UTF8.GetString(_input.Slice(span.Start, span.Length)) : null;

        public byte[]? Bytes() => Span() is { } span ? _input.Slice(span.Start, span.Length).ToArray() : null;

        public readonly void End()
        {
            if (_at != _input.Length)
            {
                throw new FormatException($"{_input.Length - _at} bytes follow the batch's end.");
            }
        }

        private (int Start, int Length)? Span()
        {
            var length = Int();
            if (length == -1)
            {
                return null;
            }

            if (length < 0 || length > _input.Length - _at)
            {
                throw new FormatException($"A length of {length} at byte {_at - 4} runs past the batch's end.");
            }

            var start = _at;
            _at += length;
            return (start, length);
        }
    }
}
