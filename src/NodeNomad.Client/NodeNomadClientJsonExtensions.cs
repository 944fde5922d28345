using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using NodeNomad.Contracts;

namespace NodeNomad.Client;

/// <summary>
/// Values as typed JSON: <c>SetAsync&lt;T&gt;</c> stores an object as its JSON text, <c>GetAsync&lt;T&gt;</c> reads it back.
/// Pass a source-generated <see cref="JsonTypeInfo{T}"/> to stay free of reflection, or serializer options (web
/// defaults when none).
/// </summary>
public static class NodeNomadClientJsonExtensions
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>Writes <paramref name="value"/> as JSON under <paramref name="key"/>.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="client">The client.</param>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="type">How to write <typeparamref name="T"/>, from a <c>JsonSerializerContext</c>.</param>
    /// <param name="ttl">How long the key lives; null for ever.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key's new version and expiry.</returns>
    public static Task<WriteResult> SetAsync<T>(
        this INodeNomadClient client, string key, T value, JsonTypeInfo<T> type, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.SetAsync(key, JsonSerializer.Serialize(value, type), ttl, cancellationToken);
    }

    /// <summary>Reads the JSON under <paramref name="key"/> as a <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="client">The client.</param>
    /// <param name="key">The key.</param>
    /// <param name="type">How to read <typeparamref name="T"/>, from a <c>JsonSerializerContext</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The value, or the default of <typeparamref name="T"/> (null) when the key is absent.</returns>
    /// <exception cref="JsonException">The value is not JSON of that shape.</exception>
    public static async Task<T?> GetAsync<T>(
        this INodeNomadClient client, string key, JsonTypeInfo<T> type, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return await client.GetAsync(key, cancellationToken) is { } found ? JsonSerializer.Deserialize(found.Value, type) : default;
    }

    /// <summary>Writes <paramref name="value"/> as JSON (web defaults: camelCase) under <paramref name="key"/>.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="client">The client.</param>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="ttl">How long the key lives; null for ever.</param>
    /// <param name="options">Serializer options; the web defaults when null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key's new version and expiry.</returns>
    [RequiresUnreferencedCode("Serializes T by reflection; pass a JsonTypeInfo<T> where trimming matters.")]
    [RequiresDynamicCode("Serializes T by reflection; pass a JsonTypeInfo<T> where native AOT matters.")]
    public static Task<WriteResult> SetAsync<T>(
        this INodeNomadClient client, string key, T value, TimeSpan? ttl = null, JsonSerializerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.SetAsync(key, JsonSerializer.Serialize(value, options ?? Web), ttl, cancellationToken);
    }

    /// <summary>Reads the JSON under <paramref name="key"/> as a <typeparamref name="T"/> (web defaults: camelCase).</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="client">The client.</param>
    /// <param name="key">The key.</param>
    /// <param name="options">Serializer options; the web defaults when null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The value, or the default of <typeparamref name="T"/> (null) when the key is absent.</returns>
    /// <exception cref="JsonException">The value is not JSON of that shape.</exception>
    [RequiresUnreferencedCode("Deserializes T by reflection; pass a JsonTypeInfo<T> where trimming matters.")]
    [RequiresDynamicCode("Deserializes T by reflection; pass a JsonTypeInfo<T> where native AOT matters.")]
    public static async Task<T?> GetAsync<T>(
        this INodeNomadClient client, string key, JsonSerializerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return await client.GetAsync(key, cancellationToken) is { } found ? JsonSerializer.Deserialize<T>(found.Value, options ?? Web) : default;
    }
}
