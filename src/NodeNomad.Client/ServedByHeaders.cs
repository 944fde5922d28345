using System.Globalization;
using System.Net.Http.Headers;
using NodeNomad.Contracts;

namespace NodeNomad.Client;

/// <summary>Fills in <see cref="ServedBy"/> on a key's answer from the node's shard headers.</summary>
internal static class ServedByHeaders
{
    public static T Stamp<T>(T answer, HttpResponseHeaders? headers)
    {
        if (headers is null || Read(headers) is not { } servedBy)
        {
            return answer;
        }

        object? stamped = answer switch
        {
            KeyValue value => value with { ServedBy = servedBy },
            WriteResult write => write with { ServedBy = servedBy },
            DeleteResult delete => delete with { ServedBy = servedBy },
            ExistsResult exists => exists with { ServedBy = servedBy },
            TtlResult ttl => ttl with { ServedBy = servedBy },
            _ => answer,
        };
        return (T)stamped!;
    }

    private static ServedBy? Read(HttpResponseHeaders headers) =>
        headers.TryGetValues(RoutingHeaders.Shard, out var shards)
        && int.TryParse(shards.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var shard)
        && headers.TryGetValues(RoutingHeaders.ShardEpoch, out var epochs)
        && long.TryParse(epochs.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var epoch)
            ? new ServedBy(shard, epoch)
            : null;
}
