using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NodeNomad.Console.Security;

namespace NodeNomad.Console.Tests.Hosting;

/// <summary>
/// Sign-in as an attacker meets it: guessing locks the address (429, saying for how long) until the window has
/// passed, the right password included; a form posted without its antiforgery token is refused; and the password
/// may be configured as its PBKDF2 hash alone.
/// </summary>
public sealed partial class SignInHardeningTests : IAsyncLifetime
{
    private readonly ManualClock _clock = new();
    private readonly ConsoleHost _host = new();
    private WebApplicationFactory<Program> _console = null!;

    public ValueTask InitializeAsync()
    {
        _console = _host.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock)));
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _console.DisposeAsync();
        await _host.DisposeAsync();
    }

    private HttpClient Client(WebApplicationFactory<Program>? console = null) =>
        (console ?? _console).CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string password, bool withToken = true)
    {
        var form = await client.GetStringAsync(new Uri("/login", UriKind.Relative), TestContext.Current.CancellationToken);
        var fields = new Dictionary<string, string> { ["_handler"] = "login", ["Input.Password"] = password };
        if (withToken)
        {
            fields["__RequestVerificationToken"] = AntiforgeryToken().Match(form).Groups[1].Value;
        }

        using var content = new FormUrlEncodedContent(fields);
        return await client.PostAsync(new Uri("/login", UriKind.Relative), content, TestContext.Current.CancellationToken);
    }

    private static Task<string> TextAsync(HttpResponseMessage response) => response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

    [Fact]
    public async Task five_wrong_passwords_lock_the_address_with_429_until_the_window_has_passed()
    {
        using var client = Client();
        for (var i = 1; i < SignInThrottle.MaxFailures; i++)
        {
            using var wrong = await SignInAsync(client, $"guess {i}");
            wrong.StatusCode.ShouldBe(HttpStatusCode.OK, $"guess {i}");
            (await TextAsync(wrong)).ShouldContain("Wrong password.");
        }

        using var locking = await SignInAsync(client, "guess 5");
        locking.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        locking.Headers.RetryAfter!.Delta.ShouldBe(SignInThrottle.Window);
        (await TextAsync(locking)).ShouldContain($"sign-in is locked for {(int)SignInThrottle.Window.TotalSeconds} s");

        _clock.Advance(TimeSpan.FromMinutes(1));
        using var rightButLocked = await SignInAsync(client, ConsoleHost.Password);
        rightButLocked.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests, "the right password is refused too while locked");
        (await TextAsync(rightButLocked)).ShouldContain($"locked for {(int)(SignInThrottle.Window - TimeSpan.FromMinutes(1)).TotalSeconds} s");

        _clock.Advance(SignInThrottle.Window);
        using var signedIn = await SignInAsync(client, ConsoleHost.Password);
        signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect, "unlocked once the window has passed");
    }

    [Fact]
    public async Task the_sign_in_form_posted_without_its_antiforgery_token_is_refused()
    {
        using var client = Client();

        using var refused = await SignInAsync(client, ConsoleHost.Password, withToken: false);

        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var page = await client.GetAsync(new Uri("/nodes", UriKind.Relative), TestContext.Current.CancellationToken);
        page.StatusCode.ShouldBe(HttpStatusCode.Redirect, "the operator was not signed in");
    }

    [Fact]
    public async Task sign_out_without_the_antiforgery_token_is_refused_and_with_it_signs_out()
    {
        using var client = Client();
        (await SignInAsync(client, ConsoleHost.Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        using var forged = await client.PostAsync(new Uri("/logout", UriKind.Relative), new FormUrlEncodedContent([]), TestContext.Current.CancellationToken);
        forged.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var stillIn = await client.GetAsync(new Uri("/nodes", UriKind.Relative), TestContext.Current.CancellationToken);
        stillIn.StatusCode.ShouldBe(HttpStatusCode.OK, "a forged sign-out leaves the operator signed in");

        // The layout renders interactively, its token arriving over the circuit; a page rendered on the server gives one
        // for the same signed-in operator.
        var token = AntiforgeryToken().Match(await client.GetStringAsync(new Uri("/login", UriKind.Relative), TestContext.Current.CancellationToken)).Groups[1].Value;
        token.ShouldNotBeEmpty();
        using var signOut = await client.PostAsync(new Uri("/logout", UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }), TestContext.Current.CancellationToken);
        signOut.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        using var afterwards = await client.GetAsync(new Uri("/nodes", UriKind.Relative), TestContext.Current.CancellationToken);
        afterwards.StatusCode.ShouldBe(HttpStatusCode.Redirect, "signed out");
    }

    [Fact]
    public async Task a_console_configured_with_the_password_hash_signs_in_with_the_password()
    {
        var hash = AdminPassword.Hash("hashed console password", AdminPassword.MinIterations);
        await using var console = _host.WithWebHostBuilder(builder => builder
            .UseSetting(ConsoleOptions.AdminPasswordKey, string.Empty)
            .UseSetting(ConsoleOptions.PasswordHashKey, hash));
        using var client = Client(console);

        using var wrong = await SignInAsync(client, ConsoleHost.Password);
        (await TextAsync(wrong)).ShouldContain("Wrong password.");
        using var right = await SignInAsync(client, "hashed console password");
        right.StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
