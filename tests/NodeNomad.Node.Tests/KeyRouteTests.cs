using NodeNomad.Node.Api;

namespace NodeNomad.Node.Tests;

public sealed class KeyRouteTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a%2Fb", "a/b")]
    [InlineData("a/b", "a/b")]
    [InlineData("100%25", "100%")]
    [InlineData("%E2%82%AC", "€")]
    [InlineData("%f0%9f%9a%80", "🚀")]
    [InlineData("plus+stays", "plus+stays")]
    [InlineData("ключ", "ключ")]
    public void percent_decoding_is_strict_utf8(string encoded, string key) =>
        KeyRoute.PercentDecode(encoded).ShouldBe(key);

    [Theory]
    [InlineData("%")]
    [InlineData("%4")]
    [InlineData("%zz")]
    [InlineData("%ff")]
    [InlineData("%c3")]
    [InlineData("%ed%a0%80")]
    public void malformed_escapes_and_invalid_utf8_are_refused(string encoded) =>
        KeyRoute.PercentDecode(encoded).ShouldBeNull();
}
