using System.Buffers.Binary;
using CsCheck;
using NodeNomad.Core.KeyValue;
using Shouldly;
using Xunit;

namespace NodeNomad.Core.Tests.KeyValue;

public class CommandCodecTests
{
    private static readonly Dictionary<string, KvCommand> Commands = new()
    {
        ["set without expiry"] = new SetCommand("k", "v", null, 1_700_000_000_000),
        ["set with expiry"] = new SetCommand("k", "v", 1_700_000_060_000, 1_700_000_000_000),
        ["set with expiry zero"] = new SetCommand("k", "v", 0, 0),
        ["set with extreme times"] = new SetCommand("k", "v", long.MaxValue, long.MinValue),
        ["set of an empty value"] = new SetCommand("k", "", null, 1),
        ["set of unicode"] = new SetCommand("clé/ключ/鍵/😀", "värde € 😀 \u0000 end", 5, 1),
        ["set with a 1 KiB key"] = new SetCommand(new string('k', KeyRules.MaxKeyBytes), "v", null, 1),
        ["set with a 1 KiB multi-byte key"] = new SetCommand(string.Concat(Enumerable.Repeat("😀", KeyRules.MaxKeyBytes / 4)), "v", null, 1),
        ["set of a 1 MiB value"] = new SetCommand("big", new string('v', KeyRules.MaxValueBytes), 9, 1),
        ["set of a 1 MiB multi-byte value"] = new SetCommand("big", string.Concat(Enumerable.Repeat("€", KeyRules.MaxValueBytes / 3)), null, 1),
        ["delete"] = new DeleteCommand("k", 42),
        ["delete of a unicode key"] = new DeleteCommand("😀/é", -5),
        ["compare-and-set without expiry"] = new CompareAndSetCommand("k", 0, "v", null, 7),
        ["compare-and-set with expiry"] = new CompareAndSetCommand("k", 17, "v", 99, 7),
        ["compare-and-set of an empty value"] = new CompareAndSetCommand("k", long.MaxValue, "", 0, 7),
        ["compare-and-set of unicode"] = new CompareAndSetCommand("鍵", 3, "😀€é", null, 7),
        ["set of bytes"] = new SetCommand("k", KvValue.FromBytes([0x00, 0xFF, 0xED, 0xA0, 0x80]), 9, 1),
        ["set of no bytes"] = new SetCommand("k", KvValue.FromBytes([]), null, 1),
        ["set of a 1 MiB binary value"] = new SetCommand("big", KvValue.FromBytes(Enumerable.Range(0, KeyRules.MaxValueBytes).Select(i => (byte)i).ToArray()), null, 1),
        ["compare-and-set of bytes"] = new CompareAndSetCommand("k", 5, KvValue.FromBytes([0xC0, 0xFF, 0xEE]), null, 7),
        ["purge"] = new PurgeExpiredCommand(1_700_000_000_000),
        ["purge at zero"] = new PurgeExpiredCommand(0),
    };

    public static TheoryData<string> CommandNames => [.. Commands.Keys];

    public static TheoryData<string> SmallCommandNames => [.. Commands.Keys.Where(name => !name.Contains("1 MiB", StringComparison.Ordinal))];

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void every_command_decodes_to_what_was_encoded(string name)
    {
        var command = Commands[name];

        KvCommandCodec.Decode(KvCommandCodec.Encode(command)).ShouldBe(command);
    }

    [Fact]
    public void no_expiry_and_an_expiry_of_zero_decode_differently()
    {
        var never = KvCommandCodec.Decode(KvCommandCodec.Encode(new SetCommand("k", "v", null, 0)));
        var atZero = KvCommandCodec.Decode(KvCommandCodec.Encode(new SetCommand("k", "v", 0, 0)));

        never.ShouldBeOfType<SetCommand>().ExpiresAt.ShouldBeNull();
        atZero.ShouldBeOfType<SetCommand>().ExpiresAt.ShouldBe(0);
    }

    [Theory]
    [MemberData(nameof(SmallCommandNames))]
    public void every_truncation_of_a_command_is_a_format_error(string name)
    {
        var encoded = KvCommandCodec.Encode(Commands[name]);

        for (var length = 0; length < encoded.Length; length++)
        {
            var truncated = encoded[..length];
            Should.Throw<FormatException>(() => KvCommandCodec.Decode(truncated), $"truncated to {length} of {encoded.Length} bytes");
        }
    }

    [Theory]
    [MemberData(nameof(SmallCommandNames))]
    public void trailing_bytes_after_a_command_are_a_format_error(string name)
    {
        byte[] padded = [.. KvCommandCodec.Encode(Commands[name]), 0];

        Should.Throw<FormatException>(() => KvCommandCodec.Decode(padded));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(255)]
    public void an_unknown_command_kind_is_a_format_error(byte kind)
    {
        var data = new byte[1 + 8];
        data[0] = kind;

        Should.Throw<FormatException>(() => KvCommandCodec.Decode(data)).Message.ShouldContain(kind.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void a_negative_string_length_is_a_format_error(int length)
    {
        var data = new byte[1 + 8 + 4 + 8];
        data[0] = 2; // delete: kind, timestamp, key
        BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(9), length);

        Should.Throw<FormatException>(() => KvCommandCodec.Decode(data));
    }

    [Fact]
    public void a_string_length_past_the_end_is_a_format_error()
    {
        var data = new byte[1 + 8 + 4 + 3];
        data[0] = 2;
        BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(9), int.MaxValue);

        Should.Throw<FormatException>(() => KvCommandCodec.Decode(data));
    }

    [Fact]
    public void invalid_utf8_in_a_key_is_a_format_error()
    {
        var data = new byte[1 + 8 + 4 + 2];
        data[0] = 2;
        BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(9), 2);
        data[13] = 0xED; // the UTF-8 form of a lone surrogate
        data[14] = 0xA0;

        Should.Throw<FormatException>(() => KvCommandCodec.Decode(data));
    }

    [Fact]
    public void bytes_and_text_of_the_same_content_decode_as_what_they_were()
    {
        var text = KvCommandCodec.Decode(KvCommandCodec.Encode(new SetCommand("k", "abc", null, 0))).ShouldBeOfType<SetCommand>();
        var bytes = KvCommandCodec.Decode(KvCommandCodec.Encode(new SetCommand("k", KvValue.FromBytes("abc"u8), null, 0))).ShouldBeOfType<SetCommand>();

        text.Value.IsBinary.ShouldBeFalse();
        text.Value.Text.ShouldBe("abc");
        bytes.Value.IsBinary.ShouldBeTrue();
        bytes.Value.Bytes.ToArray().ShouldBe("abc"u8.ToArray());
        bytes.Value.ShouldNotBe(text.Value);
    }

    [Fact]
    public void a_text_write_keeps_the_encoding_logs_were_written_in_before_binary_values()
    {
        // kind 1, timestamp 0, no expiry, key "k", value "v": what a log written before binary values holds.
        byte[] old = [1, .. new byte[8], 0, 0, 0, 0, 0, 0, 0, 0x80, 1, 0, 0, 0, (byte)'k', 1, 0, 0, 0, (byte)'v'];

        KvCommandCodec.Encode(new SetCommand("k", "v", null, 0)).ShouldBe(old);
        KvCommandCodec.Decode(old).ShouldBe(new SetCommand("k", "v", null, 0));
    }

    [Fact]
    public void an_empty_entry_is_a_format_error()
    {
        Should.Throw<FormatException>(() => KvCommandCodec.Decode([]));
    }

    [Fact]
    public void corrupted_commands_either_decode_or_are_format_errors()
    {
        var encodings = Commands
            .Where(entry => !entry.Key.Contains("1 MiB", StringComparison.Ordinal))
            .Select(entry => KvCommandCodec.Encode(entry.Value))
            .ToArray();
        var corruption = Gen.Select(Gen.Int[0, encodings.Length - 1], Gen.Int.NonNegative, Gen.Byte, Gen.Int[0, 16]);

        // A failure prints the case and a seed; replay it with CsCheck_Seed=<seed> (see StateMachineAgainstModelTests).
        corruption.Sample((which, position, value, cut) =>
        {
            var data = (byte[])encodings[which].Clone();
            data[position % data.Length] = value;
            data = data[..Math.Max(0, data.Length - cut)];
            try
            {
                KvCommandCodec.Decode(data);
            }
            catch (FormatException)
            {
                // The only acceptable failure.
            }
        }, iter: 20_000);
    }

    [Fact]
    public void random_bytes_either_decode_or_are_format_errors()
    {
        var entries = Gen.Select(Gen.Int[0, 7], Gen.Byte.Array[0, 64], (kind, rest) => (byte[])[(byte)kind, .. rest]);

        entries.Sample(data =>
        {
            try
            {
                KvCommandCodec.Decode(data);
            }
            catch (FormatException)
            {
                // The only acceptable failure.
            }
        }, iter: 20_000);
    }
}
