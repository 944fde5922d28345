using System.Globalization;
using System.Net.Http.Headers;

namespace NodeNomad.Load;

/// <summary>The requests the benchmarks send. With several targets, successive requests go to each in turn.</summary>
internal static class LoadRequests
{
    /// <summary>Writes to keys never written before: client c's n-th write is to <c>{keyPrefix}/{c}/{n}</c>.</summary>
    public static RequestFactory NewKeys(IReadOnlyList<IWriteTarget> targets, string keyPrefix, string value) =>
        (client, sequence, ticket) => Write(Pick(targets, ticket), $"{keyPrefix}/{client}/{sequence}", value);

    /// <summary>Writes <c>{keyPrefix}/0</c> up to <c>{keyPrefix}/{keys - 1}</c>, one key per request when the budget is <paramref name="keys"/>.</summary>
    public static RequestFactory FillKeys(IWriteTarget target, string keyPrefix, int keys, string value) =>
        (_, _, ticket) => Write(target, Key(keyPrefix, ticket, keys), value);

    /// <summary>Linearizable reads, by the node's default, of the keys <see cref="FillKeys"/> wrote, one after another.</summary>
    public static RequestFactory ReadKeys(IReadOnlyList<NodeNomadTarget> targets, string keyPrefix, int keys) =>
        (_, _, ticket) => new HttpRequestMessage(HttpMethod.Get, Pick(targets, ticket).ReadUrl(Key(keyPrefix, ticket, keys)));

    private static HttpRequestMessage Write(IWriteTarget target, string key, string value) => new(HttpMethod.Post, target.WriteUrl)
    {
        Content = new ByteArrayContent(target.WriteBody(key, value))
        {
            Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
        },
    };

    private static T Pick<T>(IReadOnlyList<T> targets, long ticket) => targets[(int)(ticket % targets.Count)];

    private static string Key(string keyPrefix, long ticket, int keys) => string.Create(CultureInfo.InvariantCulture, $"{keyPrefix}/{ticket % keys}");
}
