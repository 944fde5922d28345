using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;

namespace NodeNomad.Launcher.Tests;

/// <summary>
/// A node's REST API as the tests use it while nodes die and come back: each request is made again until it succeeds
/// or its deadline passes (a shard whose leader died answers 503 until it has elected another).
/// </summary>
internal static class NodeApi
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public static Task SetAsync(int port, string key, string value, TimeSpan limit) => UntilAsync(
        Invariant($"set {key} through port {port}"),
        limit,
        async () => (await Http.PostAsJsonAsync(Url(port, "/api/v1/set"), new { key, value })).EnsureSuccessStatusCode());

    /// <summary>The key's value read through the node; <paramref name="stale"/> reads the node's own replica, with no round to the leader.</summary>
    public static Task<string> GetAsync(int port, string key, TimeSpan limit, bool stale = false) => UntilAsync(
        Invariant($"get {key} through port {port}"),
        limit,
        async () => (await Http.GetFromJsonAsync<StoredValue>(Url(port, $"/api/v1/get/{key}{(stale ? "?consistency=stale" : "")}")))!.Value);

    private static async Task<T> UntilAsync<T>(string what, TimeSpan limit, Func<Task<T>> attempt)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                return await attempt();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && Stopwatch.GetElapsedTime(started) < limit)
            {
                await Task.Delay(Poll);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                throw new ShouldAssertException($"{what} did not succeed within {limit.TotalSeconds:0} s: {e.Message}", e);
            }
        }
    }

    private static Uri Url(int port, string path) => new(Invariant($"http://localhost:{port}{path}"));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record StoredValue(string Key, string Value, long Version);
}
