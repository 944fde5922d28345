using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace NodeNomad.Console.Security;

/// <summary>Signing out; signing in is the <c>/login</c> page.</summary>
public static class AccountEndpoints
{
    /// <summary>Maps <c>POST /logout</c>.</summary>
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder routes)
    {
        // The form of the layout sends the antiforgery token: without it another site could sign the operator out.
        // Binding nothing from the form, the endpoint would not be checked by the antiforgery middleware on its own.
        routes.MapPost("/logout", async (HttpContext context, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.Problem("Sign out from the console's own page: the request carries no valid antiforgery token.",
                    statusCode: StatusCodes.Status400BadRequest, title: "Antiforgery token missing or invalid");
            }

            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/login");
        });
        return routes;
    }
}
