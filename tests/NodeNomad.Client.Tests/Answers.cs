namespace NodeNomad.Client.Tests;

/// <summary>Bodies a node sends, as JSON text.</summary>
internal static class Answers
{
    public const string Written = """{"key":"k","version":7,"expiresAt":null}""";

    public static string Value(string key) =>
        $$"""{"key":{{Quote(key)}},"value":"v","version":3,"expiresAt":null}""";

    public static string Deleted(string key) => $$"""{"key":{{Quote(key)}},"version":9}""";

    public static string Exists(string key, bool exists) =>
        $$"""{"key":{{Quote(key)}},"exists":{{(exists ? "true" : "false")}},"version":{{(exists ? "3" : "null")}}}""";

    public static string Ttl(string key) => $$"""{"key":{{Quote(key)}},"ttlSeconds":42,"expiresAt":"2030-01-01T00:00:00+00:00"}""";

    public static string Page(string? nextCursor, params string[] keys) =>
        $$"""{"items":[{{string.Join(",", keys.Select(k => $$"""{"key":{{Quote(k)}},"version":1,"expiresAt":null,"valueBytes":3}"""))}}],"nextCursor":{{(nextCursor is null ? "null" : Quote(nextCursor))}}}""";

    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);
}
