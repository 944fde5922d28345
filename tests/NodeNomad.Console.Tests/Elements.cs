using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;

namespace NodeNomad.Console.Tests;

/// <summary>Finding what a user would look at, by the test ids the console puts on its elements.</summary>
public static class Elements
{
    public static IElement ById<T>(this IRenderedComponent<T> cut, string testId)
        where T : IComponent => cut.Find($"[data-testid='{testId}']");

    /// <summary>The input or text area of a MudBlazor field, wherever the field put its test id.</summary>
    public static IElement Field<T>(this IRenderedComponent<T> cut, string testId)
        where T : IComponent
    {
        var element = cut.ById(testId);
        return element.LocalName is "input" or "textarea" ? element : element.QuerySelector("input, textarea")!;
    }

    public static string Text<T>(this IRenderedComponent<T> cut, string selector)
        where T : IComponent => cut.Find(selector).TextContent.Trim();
}
