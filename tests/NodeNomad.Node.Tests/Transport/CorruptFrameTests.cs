using System.Buffers;
using System.IO.Pipelines;
using NodeNomad.Node.Transport;
using NodeNomad.Raft;

namespace NodeNomad.Node.Tests.Transport;

/// <summary>
/// Untrusted bytes fail with a FormatException: never another exception, never a wait for bytes a lying length
/// promises, never an allocation a lying length asks for.
/// </summary>
public sealed class CorruptFrameTests(ITestOutputHelper output)
{
    // Group 3, a Snapshot message, index 1, term 1, no members, no data, chunks from offset 0.
    private static readonly byte[] SnapshotStartPayload =
        [.. Wire.Varint(3), .. Wire.EmptyMessage((byte)MessageType.Snapshot), 1, 1, 0, 0, 0, 0, 0];

    private static Task<List<GroupMessage>> Decode(params byte[][] frames) => Wire.DecodeAsync(frames.SelectMany(f => f).ToArray());

    private static async Task ShouldBeRefused(string reasonFragment, params byte[][] frames)
    {
        var e = await Should.ThrowAsync<FormatException>(() => Decode(frames));
        e.Message.ShouldContain(reasonFragment, Case.Insensitive);
    }

    [Fact]
    public async Task a_stream_cut_anywhere_inside_a_frame_is_refused_and_between_frames_ends_cleanly()
    {
        var random = new Random(RandomMessages.Seed(output, GetType()));
        var frames = Enumerable.Range(0, 4)
            .Select(_ => Wire.Encode(Enumerable.Range(0, 3).Select(_ => RandomMessages.Next(random, MessageType.Append, maxDataBytes: 20))))
            .ToList();
        var stream = frames.SelectMany(f => f).ToArray();
        var boundaries = frames.Select((_, i) => frames.Take(i + 1).Sum(f => f.Length)).ToList();

        for (int cut = 1; cut < stream.Length; cut++)
        {
            var truncated = stream[..cut];
            var wholeFrames = boundaries.IndexOf(cut) + 1;
            if (wholeFrames > 0)
            {
                (await Wire.DecodeAsync(truncated)).Count.ShouldBe(3 * wholeFrames, $"cut at {cut}");
            }
            else
            {
                await Should.ThrowAsync<FormatException>(() => Wire.DecodeAsync(truncated), $"cut at {cut}");
            }
        }
    }

    [Fact]
    public async Task random_corruption_decodes_or_fails_with_a_format_exception()
    {
        var random = new Random(RandomMessages.Seed(output, GetType()));
        var sent = RandomMessages.AllTypes.Select(type => RandomMessages.Next(random, type, maxDataBytes: 50)).ToList();
        var stream = Wire.Encode(sent, random, chunkBytes: 200);

        var refused = 0;
        for (int round = 0; round < 2000; round++)
        {
            var corrupt = (byte[])stream.Clone();
            for (int flips = random.Next(1, 4); flips > 0; flips--)
            {
                corrupt[random.Next(corrupt.Length)] = (byte)random.Next(256);
            }

            try
            {
                await Wire.DecodeAsync(corrupt, random).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
            }
            catch (FormatException)
            {
                refused++;
            }
        }

        output.WriteLine($"{refused} of 2000 corrupted streams refused");
        refused.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task an_oversized_frame_is_refused_before_its_payload_arrives()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(new byte[] { 0xFF, 0xFF, 0xFF, 0xF0, (byte)RaftFrameType.Batch }, TestContext.Current.CancellationToken);
        var reader = new RaftStreamReader(pipe.Reader);

        var read = reader.ReadAsync(new List<GroupMessage>(), TestContext.Current.CancellationToken).AsTask();

        var e = await Should.ThrowAsync<FormatException>(() => read.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
        e.Message.ShouldContain("more than the");
    }

    [Fact]
    public async Task a_frame_just_over_the_limit_is_refused() =>
        await ShouldBeRefused("more than the", [.. Wire.BigEndian(RaftMessageCodec.MaxFramePayloadBytes + 1), (byte)RaftFrameType.SnapshotChunk]);

    [Fact]
    public void a_lying_length_inside_a_payload_allocates_nothing()
    {
        byte[][] lies =
        [
            [.. Wire.Varint(1), (byte)MessageType.Append, 0, 0, 0, 0, 0, 0, 0, 0, .. Wire.Varint(1UL << 40), 1, 2, 3],
            [.. Wire.Varint(1), (byte)MessageType.Append, 0, 0, 0, 0, 0, 0, 0, 0, 0, .. Wire.Varint(int.MaxValue), 1, 1, 0, 0],
            [.. Wire.Varint(1), (byte)MessageType.Append, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, .. Wire.Varint(2_000_000_000), 7],
        ];
        foreach (var lie in lies)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            Should.Throw<FormatException>(() => RaftMessageCodec.ReadBatch(lie, new List<GroupMessage>()));
            (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(64 * 1024);
        }
    }

    [Fact]
    public void a_snapshot_announcing_more_than_it_brings_is_refused_without_allocating_the_announced_size()
    {
        byte[] stream =
        [
            .. Wire.Frame(RaftFrameType.SnapshotStart, Wire.Varint(3), Wire.EmptyMessage((byte)MessageType.Snapshot), [1, 1, 0, 0, 0], Wire.Varint(2_000_000_000), [0]),
            .. Wire.Frame(RaftFrameType.SnapshotChunk, new byte[10]),
            .. Wire.Frame(RaftFrameType.SnapshotEnd, new byte[32]),
        ];

        // Every read completes at once from a sequence already in memory, so the whole decode runs synchronously on
        // a thread of its own: the allocation counter of that thread sees the decode and nothing else (awaiting on a
        // test thread could resume elsewhere and compare two threads' counters).
        var reader = new RaftStreamReader(PipeReader.Create(new ReadOnlySequence<byte>(stream)));
        Exception? failure = null;
        long allocated = 0;
        var decoding = new Thread(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                while (reader.ReadAsync(new List<GroupMessage>(), CancellationToken.None).AsTask().GetAwaiter().GetResult())
                {
                }
            }
            catch (FormatException e)
            {
                failure = e;
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        decoding.Start();
        decoding.Join();

        failure.ShouldBeOfType<FormatException>().Message.ShouldContain("ended after 10 of the 2000000000 bytes");
        allocated.ShouldBeLessThan(4L * 1024 * 1024);
    }

    [Fact]
    public async Task a_snapshot_larger_than_the_limit_is_refused_at_its_start()
    {
        var frame = Wire.Frame(RaftFrameType.SnapshotStart, SnapshotStartPayload[..^2], Wire.Varint(1001), [0]);
        var e = await Should.ThrowAsync<FormatException>(() => Wire.DecodeAsync(frame, maxSnapshotBytes: 1000));
        e.Message.ShouldContain("exceeds the 1000 bytes");
    }

    [Fact]
    public async Task chunks_beyond_the_announced_length_are_refused() =>
        await ShouldBeRefused("more than the 0 bytes",
            Wire.Frame(RaftFrameType.SnapshotStart, SnapshotStartPayload), Wire.Frame(RaftFrameType.SnapshotChunk, [1]));

    [Fact]
    public async Task a_snapshot_whose_data_does_not_match_its_digest_is_refused()
    {
        var message = new GroupMessage(3, new Message
        {
            Type = MessageType.Snapshot,
            Snapshot = new Snapshot(new SnapshotMetadata(1, 1, ConfState.Empty), new byte[] { 1, 2, 3, 4 }),
        });
        var stream = Wire.Encode([message]);
        var chunk = stream.AsSpan().IndexOf(new byte[] { 1, 2, 3, 4 });
        stream[chunk] = 9;

        await ShouldBeRefused("does not match", stream);
    }

    [Fact]
    public async Task a_stream_ending_inside_a_snapshot_is_refused() =>
        await ShouldBeRefused("inside a snapshot", Wire.Frame(RaftFrameType.SnapshotStart, SnapshotStartPayload));

    [Fact]
    public async Task frames_out_of_order_are_refused()
    {
        await ShouldBeRefused("outside a snapshot", Wire.Frame(RaftFrameType.SnapshotChunk, [1, 2]));
        await ShouldBeRefused("outside a snapshot", Wire.Frame(RaftFrameType.SnapshotEnd, new byte[32]));
        await ShouldBeRefused("before the previous one ended",
            Wire.Frame(RaftFrameType.SnapshotStart, SnapshotStartPayload), Wire.Frame(RaftFrameType.SnapshotStart, SnapshotStartPayload));
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 0, 9 }, "frame type 9")]
    [InlineData(new byte[] { 0, 0, 0, 0, 0 }, "frame type 0")]
    [InlineData(new byte[] { 0, 0, 0, 0, 1 }, "batch frame is empty")]
    [InlineData(new byte[] { 0, 0, 0, 3, 1, 1, 200, 0 }, "message type 200")]
    [InlineData(new byte[] { 0, 0, 0, 3, 1, 1, 3, 4 }, "unknown bits")]
    [InlineData(new byte[] { 0, 0, 0, 12, 1, 1, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, "snapshots travel in snapshot frames")]
    [InlineData(new byte[] { 0, 0, 0, 16, 1, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 7, 0 }, "entry type 7")]
    [InlineData(new byte[] { 0, 0, 0, 11, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, "does not fit in 64 bits")]
    [InlineData(new byte[] { 0, 0, 0, 10, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02 }, "does not fit in 64 bits")]
    [InlineData(new byte[] { 0, 0, 0, 5, 1, 1, 3, 0, 0, 0 }, "ends before")]
    public async Task malformed_frames_are_refused(byte[] frame, string reasonFragment) =>
        await ShouldBeRefused(reasonFragment, frame);

    [Fact]
    public async Task a_snapshot_resuming_beyond_its_length_is_refused() =>
        await ShouldBeRefused("resumes at byte 5", Wire.Frame(RaftFrameType.SnapshotStart, SnapshotStartPayload[..^2], Wire.Varint(4), Wire.Varint(5)));

    [Fact]
    public async Task a_snapshot_resuming_where_nothing_arrived_is_refused() =>
        await ShouldBeRefused("none of it arrived", Wire.Frame(RaftFrameType.SnapshotStart, SnapshotStartPayload[..^2], Wire.Varint(4), Wire.Varint(2)));

    [Fact]
    public async Task bytes_after_a_snapshot_start_are_refused() =>
        await ShouldBeRefused("unexpected bytes", Wire.Frame(RaftFrameType.SnapshotStart, SnapshotStartPayload, [0]));

    [Fact]
    public async Task a_snapshot_start_holding_another_message_type_is_refused() =>
        await ShouldBeRefused("holds a Heartbeat message",
            Wire.Frame(RaftFrameType.SnapshotStart, Wire.Varint(3), Wire.EmptyMessage((byte)MessageType.Heartbeat), [1, 1, 0, 0, 0, 0, 0]));
}
