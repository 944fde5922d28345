using Microsoft.Extensions.Configuration;
using NodeNomad.Node.Security;

namespace NodeNomad.Node.Tests.Security;

/// <summary>Protected mode and the limits' settings, as the node checks them at start.</summary>
public sealed class ClientAccessOptionsTests
{
    private static (ClientAccessOptions Options, IReadOnlyList<string> Failures) Load(Dictionary<string, string?> settings)
    {
        var options = new ClientAccessOptions();
        options.Bind(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        var result = new ClientAccessOptionsValidator().Validate(null, options);
        return (options, result.Failures?.ToList() ?? []);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("127.0.0.2")]
    public void a_node_on_loopback_starts_without_credentials(string host) =>
        Load(new() { ["NODE_HOST"] = host }).Failures.ShouldBeEmpty();

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("10.1.2.3")]
    [InlineData("nodenomad-0.example")]
    public void a_node_beyond_loopback_without_credentials_refuses_to_start_and_says_how_to_go_on(string host)
    {
        var failure = Load(new() { ["NODE_HOST"] = host }).Failures.ShouldHaveSingleItem();
        failure.ShouldContain("protected mode");
        failure.ShouldContain("ADMIN_TOKEN");
        failure.ShouldContain("ALLOW_ANONYMOUS=true");
    }

    [Fact]
    public void allow_anonymous_or_an_admin_token_lets_it_start()
    {
        Load(new() { ["NODE_HOST"] = "0.0.0.0", ["ALLOW_ANONYMOUS"] = "true" }).Failures.ShouldBeEmpty();
        Load(new() { ["NODE_HOST"] = "0.0.0.0", ["ADMIN_TOKEN"] = SecuredNode.AdminToken }).Failures.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("ADMIN_TOKEN", "short", "at least 32")]
    [InlineData("ADMIN_TOKEN", "has a space in it 0123456789abcdefghijkl", "without spaces")]
    [InlineData("ALLOW_ANONYMOUS", "yes", "true or false")]
    [InlineData("RATE_LIMIT_PER_SECOND", "-1", "between 0")]
    [InlineData("RATE_LIMIT_PER_SECOND", "fast", "not a number")]
    [InlineData("RATE_LIMIT_BURST", "0", "between 1")]
    [InlineData("MAX_REQUEST_BODY_BYTES", "10", "between 65536")]
    public void a_setting_out_of_range_is_named_with_the_reason(string key, string value, string reason) =>
        Load(new() { [key] = value }).Failures.ShouldContain(f => f.Contains(key, StringComparison.Ordinal) && f.Contains(reason, StringComparison.Ordinal));

    [Fact]
    public void the_rate_limit_is_off_and_the_body_limit_8_mib_by_default()
    {
        var (options, _) = Load([]);
        options.RateLimitPerSecond.ShouldBe(0);
        options.MaxRequestBodyBytes.ShouldBe(8L * 1024 * 1024);
    }
}
