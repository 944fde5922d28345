using System.Text;

namespace NodeNomad.Storage.Tests;

public sealed class Crc32CTests
{
    [Fact]
    public void the_checksum_of_123456789_is_the_standard_check_value() =>
        Crc32C.Compute("123456789"u8).ShouldBe(0xE3069283u);

    [Fact]
    public void the_checksum_of_nothing_is_zero() =>
        Crc32C.Compute([]).ShouldBe(0u);

    // The iSCSI test vectors of RFC 3720, appendix B.4.
    [Theory]
    [InlineData(0x00, 0, 0x8A9136AAu)]
    [InlineData(0xFF, 0, 0x62A8AB43u)]
    [InlineData(0x00, 1, 0x46DD794Eu)]
    [InlineData(0x1F, -1, 0x113FDB5Cu)]
    public void the_checksums_of_the_rfc_3720_vectors_match(int first, int step, uint expected)
    {
        byte[] data = [.. Enumerable.Range(0, 32).Select(i => (byte)(first + i * step))];

        Crc32C.Compute(data).ShouldBe(expected);
    }

    [Fact]
    public void a_checksum_built_from_pieces_equals_the_checksum_of_the_whole()
    {
        byte[] data = Encoding.ASCII.GetBytes("The quick brown fox jumps over the lazy dog, twice over.");
        uint whole = Crc32C.Compute(data);

        for (int split = 0; split <= data.Length; split++)
        {
            Crc32C.Append(Crc32C.Compute(data.AsSpan(0, split)), data.AsSpan(split)).ShouldBe(whole, $"split at {split}");
        }
    }
}
