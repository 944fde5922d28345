using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace NodeNomad.Console.Tests.Hosting;

public sealed partial class SignInTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/nodes")]
    [InlineData("/nodes/node-1")]
    [InlineData("/shards")]
    [InlineData("/keys")]
    [InlineData("/events")]
    public async Task every_page_sends_the_anonymous_to_sign_in(string page)
    {
        await using var host = new ConsoleHost();
        using var client = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await client.GetAsync(new Uri(page, UriKind.Relative), TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldContain("/login?ReturnUrl=");
    }

    [Fact]
    public async Task the_right_password_signs_in_and_opens_the_pages()
    {
        await using var host = new ConsoleHost();
        using var client = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var signedIn = await SignInAsync(client, ConsoleHost.Password);

        signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        using var overview = await client.GetAsync(new Uri("/nodes", UriKind.Relative), TestContext.Current.CancellationToken);
        overview.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task a_wrong_password_is_refused_with_a_message()
    {
        await using var host = new ConsoleHost();
        using var client = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var refused = await SignInAsync(client, "guess");

        refused.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain("Wrong password.");
        using var overview = await client.GetAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);
        overview.StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string password)
    {
        var form = await client.GetStringAsync(new Uri("/login", UriKind.Relative), TestContext.Current.CancellationToken);
        var token = AntiforgeryToken().Match(form).Groups[1].Value;
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["_handler"] = "login",
            ["Input.Password"] = password,
        });
        return await client.PostAsync(new Uri("/login", UriKind.Relative), content, TestContext.Current.CancellationToken);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
