using System.Text.Json;
using System.Text.Json.Serialization;
using NodeNomad.Contracts;

namespace NodeNomad.Client;

/// <summary>
/// Source-generated JSON metadata for every body the client sends or reads: camelCase names, enums as
/// their names, no reflection at run time.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(SetRequest))]
[JsonSerializable(typeof(CasRequest))]
[JsonSerializable(typeof(WriteResult))]
[JsonSerializable(typeof(KeyValue))]
[JsonSerializable(typeof(DeleteResult))]
[JsonSerializable(typeof(ExistsResult))]
[JsonSerializable(typeof(TtlResult))]
[JsonSerializable(typeof(KeyPage))]
[JsonSerializable(typeof(ClusterInfo))]
[JsonSerializable(typeof(IReadOnlyList<NodeInfo>))]
[JsonSerializable(typeof(NodeMembershipInfo))]
[JsonSerializable(typeof(IReadOnlyList<ShardInfo>))]
[JsonSerializable(typeof(ClusterMetrics))]
[JsonSerializable(typeof(NodeHealth))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(MigrateRequest))]
[JsonSerializable(typeof(MigrationInfo))]
[JsonSerializable(typeof(IReadOnlyList<MigrationInfo>))]
[JsonSerializable(typeof(LeadershipRequest))]
[JsonSerializable(typeof(LeadershipInfo))]
[JsonSerializable(typeof(ReplicaDigest))]
[JsonSerializable(typeof(RebalancerInfo))]
[JsonSerializable(typeof(RebalancerSettingsRequest))]
[JsonSerializable(typeof(IReadOnlyList<RebalancerDecisionInfo>))]
[JsonSerializable(typeof(CreateApiKeyRequest))]
[JsonSerializable(typeof(CreatedApiKey))]
[JsonSerializable(typeof(IReadOnlyList<ApiKeyInfo>))]
internal sealed partial class NodeNomadJsonContext : JsonSerializerContext;
