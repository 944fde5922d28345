using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace NodeNomad.Console.Security;

/// <summary>Signing out; signing in is the <c>/login</c> page.</summary>
public static class AccountEndpoints
{
    /// <summary>Maps <c>POST /logout</c>.</summary>
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return TypedResults.LocalRedirect("/login");
        });
        return routes;
    }
}
