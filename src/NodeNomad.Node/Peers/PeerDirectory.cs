using System.Net.Http.Json;
using NodeNomad.Contracts;
using NodeNomad.Core.Cluster;
using NodeNomad.Node.Configuration;
using NodeNomad.Node.Shards;

namespace NodeNomad.Node.Peers;

/// <summary>Asks every member for its status, so any node can describe the whole cluster.</summary>
public sealed class PeerDirectory(PeerHttp peers, ClusterTopology topology, NodeIdentity identity, ShardReplica shard)
{
    private static readonly TimeSpan PeerTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Each member's status, or null for a member that did not answer in time.</summary>
    public async Task<IReadOnlyList<(ClusterMember Member, PeerStatus? Status)>> StatusesAsync(CancellationToken cancellationToken)
    {
        var tasks = topology.Members.Select(async member =>
        {
            if (member.ReplicaId == topology.Self.ReplicaId)
            {
                return (member, (PeerStatus?)PeerApi.LocalStatus(identity, shard));
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(PeerTimeout);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(member.PeerUri, "/peer/v1/status"));
                using var response = await peers.SendAsync(request, timeout.Token);
                return response.IsSuccessStatusCode
                    ? (member, await response.Content.ReadFromJsonAsync<PeerStatus>(timeout.Token))
                    : (member, null);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
            {
                return (member, (PeerStatus?)null);
            }
        });
        return await Task.WhenAll(tasks);
    }
}
