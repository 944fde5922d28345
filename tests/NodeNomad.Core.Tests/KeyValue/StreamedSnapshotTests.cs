using NodeNomad.Core.KeyValue;
using Shouldly;
using Xunit;

namespace NodeNomad.Core.Tests.KeyValue;

/// <summary>A shard's snapshot written from a frozen image and read back from a stream, a record at a time.</summary>
public class StreamedSnapshotTests
{
    [Fact]
    public void a_frozen_image_holds_the_state_of_its_moment_while_the_machine_goes_on()
    {
        var machine = new KvStateMachine();
        machine.Apply(1, new SetCommand("a", "1", null, 0));
        machine.Apply(2, new SetCommand("b", "2", null, 0));
        var image = machine.Freeze();

        machine.Apply(3, new SetCommand("a", "changed", null, 0));
        machine.Apply(4, new DeleteCommand("b", 0));
        machine.Apply(5, new SetCommand("c", "new", null, 0));

        using var bytes = new MemoryStream();
        image.WriteTo(bytes);
        bytes.Position = 0;
        var restored = KvStateMachine.Restore(bytes);
        restored.AppliedIndex.ShouldBe(2);
        restored.Get("a", 0)!.Value.ShouldBe("1");
        restored.Get("b", 0)!.Value.ShouldBe("2");
        restored.Get("c", 0).ShouldBeNull();
    }

    [Fact]
    public void values_larger_than_the_write_buffer_round_trip_through_a_stream()
    {
        var machine = new KvStateMachine();
        var huge = new string('h', 3 * 1024 * 1024);
        machine.Apply(1, new SetCommand("huge", huge, null, 0));
        machine.Apply(2, new SetCommand("small", "s", 42_000, 0));
        machine.Apply(3, new SetCommand("ünïcödé", new string('é', 200_000), null, 0));

        using var bytes = new MemoryStream();
        machine.Freeze().WriteTo(bytes);
        bytes.ToArray().ShouldBe(machine.Serialize(), "the streamed snapshot and the one in an array are the same bytes");
        bytes.Position = 0;
        var restored = KvStateMachine.Restore(new OneByteAtATime(bytes));
        restored.Digest().ShouldBe(machine.Digest());
        restored.Get("small", 0)!.ExpiresAt.ShouldBe(42_000);
    }

    [Fact]
    public void a_truncated_or_padded_stream_is_refused()
    {
        var machine = new KvStateMachine();
        machine.Apply(1, new SetCommand("k", new string('v', 1000), null, 0));
        var snapshot = machine.Serialize();
        foreach (var length in new[] { 0, 3, 8, 20, snapshot.Length - 1 })
        {
            Should.Throw<FormatException>(() => KvStateMachine.Restore(new MemoryStream(snapshot[..length])), $"truncated to {length}");
        }

        Should.Throw<FormatException>(() => KvStateMachine.Restore(new MemoryStream([.. snapshot, 0])), "a trailing byte");
        Should.Throw<FormatException>(() => KvStateMachine.Restore(new OneByteAtATime(new MemoryStream(snapshot[..^10]))), "truncated, read through a stream that cannot seek");
    }

    /// <summary>A stream that cannot seek and hands out one byte per read: the reader must not depend on either.</summary>
    private sealed class OneByteAtATime(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 1));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
