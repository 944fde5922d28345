using NodeNomad.Core.KeyValue;
using Shouldly;
using Xunit;

namespace NodeNomad.Core.Tests.KeyValue;

public class KeyRulesTests
{
    private static string Repeat(string unit, int times, string tail = "") => string.Concat(Enumerable.Repeat(unit, times)) + tail;

    [Fact]
    public void a_missing_or_empty_key_is_rejected()
    {
        KeyRules.CheckKey(null).ShouldNotBeNull();
        KeyRules.CheckKey("").ShouldNotBeNull();
    }

    [Theory]
    [InlineData("k", 1024, "")]
    [InlineData("€", 341, "a")]
    [InlineData("😀", 256, "")]
    [InlineData("é", 512, "")]
    public void a_key_of_exactly_1024_utf8_bytes_is_accepted(string unit, int times, string tail)
    {
        var key = Repeat(unit, times, tail);

        KeyRules.Utf8Length(key).ShouldBe(1024);
        KeyRules.CheckKey(key).ShouldBeNull();
    }

    [Theory]
    [InlineData("k", 1025, "", 1025)]
    [InlineData("€", 341, "ab", 1025)]
    [InlineData("€", 342, "", 1026)]
    [InlineData("😀", 256, "a", 1025)]
    [InlineData("é", 512, "a", 1025)]
    public void a_key_over_1024_utf8_bytes_is_rejected_with_its_size(string unit, int times, string tail, int bytes)
    {
        var key = Repeat(unit, times, tail);

        KeyRules.Utf8Length(key).ShouldBe(bytes);
        KeyRules.CheckKey(key).ShouldNotBeNull().ShouldContain(bytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void a_key_with_a_lone_surrogate_is_rejected()
    {
        KeyRules.CheckKey("\uD83D").ShouldNotBeNull();
        KeyRules.CheckKey("key\uDE00").ShouldNotBeNull();
        KeyRules.CheckKey("\uDE00\uD83D").ShouldNotBeNull();
        KeyRules.CheckKey("\uD83D\uDE00").ShouldBeNull();
    }

    [Fact]
    public void a_missing_value_or_one_with_a_lone_surrogate_is_rejected_and_an_empty_one_accepted()
    {
        KeyRules.CheckValue(null).ShouldNotBeNull();
        KeyRules.CheckValue("bad \uD800 value").ShouldNotBeNull();
        KeyRules.CheckValue("").ShouldBeNull();
        KeyRules.CheckValue("😀").ShouldBeNull();
    }

    [Fact]
    public void a_value_of_exactly_1_mib_is_accepted()
    {
        KeyRules.CheckValueSize(new string('v', 1024 * 1024)).ShouldBeNull();
        KeyRules.CheckValueSize(Repeat("€", 349_525, "a")).ShouldBeNull();
    }

    [Fact]
    public void a_value_one_byte_over_1_mib_is_rejected()
    {
        KeyRules.CheckValueSize(new string('v', (1024 * 1024) + 1)).ShouldNotBeNull().ShouldContain("1048577");
        KeyRules.CheckValueSize(Repeat("€", 349_525, "ab")).ShouldNotBeNull().ShouldContain("1048577");
    }

    [Fact]
    public void no_ttl_is_accepted()
    {
        KeyRules.CheckTtl(null).ShouldBeNull();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3_600)]
    [InlineData(KeyRules.MaxTtlSeconds)]
    public void a_ttl_from_one_second_to_ten_years_is_accepted(long ttlSeconds)
    {
        KeyRules.CheckTtl(ttlSeconds).ShouldBeNull();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(long.MinValue)]
    [InlineData(KeyRules.MaxTtlSeconds + 1)]
    [InlineData(long.MaxValue)]
    public void a_ttl_that_is_not_positive_or_over_ten_years_is_rejected(long ttlSeconds)
    {
        KeyRules.CheckTtl(ttlSeconds).ShouldNotBeNull();
    }

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    public void dot_segment_keys_are_refused(string key) =>
        KeyRules.CheckKey(key)!.ShouldContain("path segments");

    [Theory]
    [InlineData("...")]
    [InlineData("a/../b")]
    [InlineData(".hidden")]
    public void keys_that_merely_contain_dots_are_accepted(string key) =>
        KeyRules.CheckKey(key).ShouldBeNull();
}
