using Bunit;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NodeNomad.Console.Components.Pages;
using NodeNomad.Console.Fleet;
using NodeNomad.Console.Security;

namespace NodeNomad.Console.Tests.Pages;

public sealed class LoginPageTests
{
    [Fact]
    public async Task the_sign_in_page_asks_for_the_admin_password()
    {
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()));
        context.Services.AddSingleton(AdminPassword.FromPlainText("secret"));
        context.Services.AddSingleton(new SignInThrottle(new ManualClock()));

        var cut = context.Render<Login>(p => p.AddCascadingValue(new DefaultHttpContext() as HttpContext));

        cut.Find("input#password").GetAttribute("type").ShouldBe("password");
        cut.ById("signin").TextContent.ShouldContain("Sign in");
        cut.FindAll("[data-testid='signin-error']").ShouldBeEmpty();
    }
}
