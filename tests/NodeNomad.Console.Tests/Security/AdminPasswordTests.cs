using Microsoft.Extensions.Configuration;
using NodeNomad.Console.Security;

namespace NodeNomad.Console.Tests.Security;

public sealed class AdminPasswordTests
{
    [Fact]
    public void a_hash_setting_matches_its_password_and_nothing_else()
    {
        var setting = AdminPassword.Hash("correct horse", AdminPassword.MinIterations);

        setting.ShouldStartWith($"{AdminPassword.Scheme}:{AdminPassword.MinIterations}:");
        setting.ShouldNotContain("correct horse");
        var (password, problem) = AdminPassword.FromHash(setting);
        problem.ShouldBeNull();
        password!.Matches("correct horse").ShouldBeTrue();
        password.Matches("correct horse ").ShouldBeFalse();
        password.Matches("Correct horse").ShouldBeFalse();
        password.Matches(string.Empty).ShouldBeFalse();
        password.Matches(null).ShouldBeFalse();
    }

    [Fact]
    public void the_same_password_hashes_differently_each_time()
    {
        AdminPassword.Hash("pw", AdminPassword.MinIterations).ShouldNotBe(AdminPassword.Hash("pw", AdminPassword.MinIterations));
    }

    [Fact]
    public void a_plain_password_matches_only_itself()
    {
        var password = AdminPassword.FromPlainText("secret");

        password.Matches("secret").ShouldBeTrue();
        password.Matches("secret2").ShouldBeFalse();
        password.Matches(null).ShouldBeFalse();
    }

    [Theory]
    [InlineData("secret", "must read")]
    [InlineData("pbkdf2-sha256:600000:c2FsdHNhbHQ=", "must read")]
    [InlineData("pbkdf2-sha1:600000:c2FsdHNhbHQ=:aGFzaGhhc2hoYXNoaGFzaA==", "must read")]
    [InlineData("pbkdf2-sha256:1000:c2FsdHNhbHQ=:aGFzaGhhc2hoYXNoaGFzaA==", "at least 10000")]
    [InlineData("pbkdf2-sha256:many:c2FsdHNhbHQ=:aGFzaGhhc2hoYXNoaGFzaA==", "at least 10000")]
    [InlineData("pbkdf2-sha256:600000:not base64!:aGFzaGhhc2hoYXNoaGFzaA==", "base64")]
    [InlineData("pbkdf2-sha256:600000:c2E=:aGFzaGhhc2hoYXNoaGFzaA==", "salt must be at least 8 bytes")]
    public void a_malformed_hash_setting_stops_the_console_saying_why(string setting, string reason)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [ConsoleOptions.PasswordHashKey] = setting }).Build();

        ConsoleOptions.Read(configuration, out var problems);

        problems.ShouldHaveSingleItem().ShouldContain(ConsoleOptions.PasswordHashKey);
        problems[0].ShouldContain(reason);
    }

    [Fact]
    public void the_console_wants_one_password_setting_not_none_nor_both()
    {
        ConsoleOptions.Read(new ConfigurationBuilder().Build(), out var none);
        none.ShouldHaveSingleItem().ShouldContain("Neither");

        var both = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [ConsoleOptions.AdminPasswordKey] = "pw",
            [ConsoleOptions.PasswordHashKey] = AdminPassword.Hash("pw", AdminPassword.MinIterations),
        }).Build();
        ConsoleOptions.Read(both, out var twice);
        twice.ShouldHaveSingleItem().ShouldContain("Both");
    }
}
