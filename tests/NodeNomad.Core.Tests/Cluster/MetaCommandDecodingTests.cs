using System.Text;
using NodeNomad.Core.Cluster;

namespace NodeNomad.Core.Tests.Cluster;

/// <summary>Bytes that are not a meta command (a peer may post any at <c>/peer/v1/meta</c>) fail to decode with a FormatException only.</summary>
public sealed class MetaCommandDecodingTests
{
    [Theory]
    [InlineData("{}")]
    [InlineData("{\"id\": \"m-1\", \"kind\": \"complete-migration\"}")]
    [InlineData("{\"kind\": \"no-such-kind\"}")]
    [InlineData("[1, 2]")]
    [InlineData("null")]
    [InlineData("{\"kind\": ")]
    [InlineData("")]
    public void bytes_that_are_not_a_meta_command_are_a_format_error(string json) =>
        Should.Throw<FormatException>(() => MetaStateMachine.Decode(Encoding.UTF8.GetBytes(json)));
}
