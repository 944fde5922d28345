using System.Buffers;
using NodeNomad.Node.Peers;

namespace NodeNomad.Node.Tests.Peers;

/// <summary>The binary form of a batch of forwarded requests and of its answers: what is written is read back, and a damaged batch is refused, saying where.</summary>
public sealed class ForwardBatchCodecTests(ITestOutputHelper output)
{
    [Fact]
    public void requests_and_answers_read_back_as_they_were_written()
    {
        var random = new Random(Transport.RandomMessages.Seed(output, GetType()));
        for (var round = 0; round < 200; round++)
        {
            var items = Enumerable.Range(0, random.Next(0, 40)).Select(_ => new ForwardBatch.Item(
                random.Next(2) == 0 ? "POST" : "GET",
                "/api/v1/get/" + Text(random),
                random.Next(0, 3),
                random.Next(3) == 0 ? null : "application/octet-stream",
                random.Next(3) == 0 ? null : "application/json; charset=utf-8",
                random.Next(3) == 0 ? null : Bytes(random))).ToList();
            var written = new ArrayBufferWriter<byte>();
            ForwardBatch.WriteItems(written, items);
            var read = ForwardBatch.ReadItems(written.WrittenSpan);
            read.Count.ShouldBe(items.Count);
            for (var i = 0; i < items.Count; i++)
            {
                (read[i] with { Body = null }).ShouldBe(items[i] with { Body = null });
                read[i].Body.ShouldBe(items[i].Body);
            }

            var answers = items.Select(_ => new ForwardBatch.Answer(random.Next(200, 504), random.Next(2) == 0 ? null : "application/problem+json",
                [.. Enumerable.Range(0, random.Next(0, 3)).Select(h => KeyValuePair.Create($"X-{h}", Text(random)))], Bytes(random))).ToList();
            var answered = new ArrayBufferWriter<byte>();
            ForwardBatch.WriteAnswers(answered, answers);
            var back = ForwardBatch.ReadAnswers(answered.WrittenSpan);
            back.Count.ShouldBe(answers.Count);
            for (var i = 0; i < answers.Count; i++)
            {
                back[i].Status.ShouldBe(answers[i].Status);
                back[i].ContentType.ShouldBe(answers[i].ContentType);
                back[i].Headers.ShouldBe(answers[i].Headers);
                back[i].Body.ShouldBe(answers[i].Body);
            }
        }
    }

    [Fact]
    public void a_batch_cut_short_or_with_bytes_after_its_end_or_too_many_requests_is_refused()
    {
        var written = new ArrayBufferWriter<byte>();
        ForwardBatch.WriteItems(written, [new ForwardBatch.Item("POST", "/api/v1/set", 1, null, "application/json", "{\"key\":\"k\",\"value\":\"v\"}"u8.ToArray())]);
        var whole = written.WrittenSpan.ToArray();
        for (var length = 0; length < whole.Length; length++)
        {
            Should.Throw<FormatException>(() => ForwardBatch.ReadItems(whole.AsSpan(0, length)));
        }

        Should.Throw<FormatException>(() => ForwardBatch.ReadItems([.. whole, 0])).Message.ShouldContain("follow the batch's end");
        var tooMany = BitConverter.GetBytes(ForwardBatch.MaxItems + 1);
        Should.Throw<FormatException>(() => ForwardBatch.ReadItems(tooMany)).Message.ShouldContain("outside 0 to");
        Should.Throw<FormatException>(() => ForwardBatch.ReadAnswers(BitConverter.GetBytes(-3))).Message.ShouldContain("outside 0 to");
    }

    private static string Text(Random random) => new([.. Enumerable.Range(0, random.Next(0, 20)).Select(_ => (char)random.Next(0x20, 0x3000))]);

    private static byte[] Bytes(Random random)
    {
        var bytes = new byte[random.Next(0, 300)];
        random.NextBytes(bytes);
        return bytes;
    }
}
