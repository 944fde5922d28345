using System.Buffers;
using System.IO.Pipelines;
using NodeNomad.Node.Transport;

namespace NodeNomad.Node.Tests.Transport;

/// <summary>Builds frame streams the way a sender does, or by hand, and reads them back the way a receiver does.</summary>
internal static class Wire
{
    /// <summary>The frames of <paramref name="messages"/> in order: runs of ordinary messages as batches, snapshots as their frames.</summary>
    public static byte[] Encode(IEnumerable<GroupMessage> messages, Random? random = null, int chunkBytes = RaftMessageCodec.DefaultSnapshotChunkBytes)
    {
        var output = new ArrayBufferWriter<byte>();
        var batch = new List<GroupMessage>();
        void FlushBatch()
        {
            if (batch.Count > 0)
            {
                RaftMessageCodec.WriteBatchFrame(batch, output);
                batch.Clear();
            }
        }

        foreach (var message in messages)
        {
            if (message.Message.Snapshot is null)
            {
                batch.Add(message);
                if (random is not null && random.Next(4) == 0)
                {
                    FlushBatch();
                }

                continue;
            }

            FlushBatch();
            foreach (var frame in RaftMessageCodec.SnapshotFrames(message, chunkBytes))
            {
                output.Write(frame.Span);
            }
        }

        FlushBatch();
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Reads <paramref name="stream"/> through a pipe, written in pieces of random sizes, and returns the messages.</summary>
    public static async Task<List<GroupMessage>> DecodeAsync(byte[] stream, Random? random = null, long maxSnapshotBytes = RaftStreamReader.MaxSnapshotBytes)
    {
        var pipe = new Pipe();
        var writing = Task.Run(async () =>
        {
            for (int offset = 0; offset < stream.Length;)
            {
                var length = Math.Min(stream.Length - offset, random is null ? stream.Length : random.Next(1, 3000));
                await pipe.Writer.WriteAsync(stream.AsMemory(offset, length));
                offset += length;
            }

            await pipe.Writer.CompleteAsync();
        });
        var reader = new RaftStreamReader(pipe.Reader, maxSnapshotBytes);
        var messages = new List<GroupMessage>();
        try
        {
            while (await reader.ReadAsync(messages, TestContext.Current.CancellationToken))
            {
            }
        }
        finally
        {
            await pipe.Reader.CompleteAsync();
            await writing;
        }

        return messages;
    }

    /// <summary>A frame with a hand-made payload.</summary>
    public static byte[] Frame(RaftFrameType type, params byte[][] payloadParts)
    {
        var payload = payloadParts.SelectMany(p => p).ToArray();
        return [.. BigEndian((uint)payload.Length), (byte)type, .. payload];
    }

    public static byte[] BigEndian(uint value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    public static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return [.. bytes];
    }

    /// <summary>A well-formed message body: type, no flags, seven zero numbers, no context, no entries.</summary>
    public static byte[] EmptyMessage(byte type) => [type, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
}
