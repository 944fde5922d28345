using System.Text.Json;

namespace NodeNomad.Core.Cluster;

/// <summary>
/// The meta group's state machine: applies <see cref="MetaCommand"/>s to the <see cref="ClusterMap"/>. Applying is
/// deterministic (no clock, no randomness): every replica that applies the same log holds the same map.
/// </summary>
public sealed partial class MetaStateMachine
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The map as of the last applied command.</summary>
    public ClusterMap Map { get; private set; } = ClusterMap.Empty;

    /// <summary>Encodes a command for the log.</summary>
    public static byte[] Encode(MetaCommand command) => JsonSerializer.SerializeToUtf8Bytes(command, Json);

    /// <summary>Decodes a command from the log.</summary>
    /// <exception cref="FormatException">The bytes are not a meta command.</exception>
    public static MetaCommand Decode(ReadOnlySpan<byte> data)
    {
        try
        {
            return JsonSerializer.Deserialize<MetaCommand>(data, Json) ?? throw new FormatException("A meta command is null.");
        }
        catch (JsonException e)
        {
            throw new FormatException("The bytes are not a meta command.", e);
        }
        catch (NotSupportedException e)
        {
            // A JSON object without the kind (or with it after other fields) names no command type to make.
            throw new FormatException("The bytes are not a meta command: its kind does not come first.", e);
        }
    }

    /// <summary>Applies the command at <paramref name="index"/>; returns why it was refused, or null when it took effect.</summary>
    public string? Apply(long index, MetaCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var map = Map;
        switch (command)
        {
            case BootstrapCluster bootstrap:
                if (map.IsBootstrapped)
                {
                    return $"the cluster already exists ({map.ClusterId}).";
                }

                Map = new ClusterMap(bootstrap.ClusterId, bootstrap.Shards.Count, bootstrap.ReplicationFactor,
                    [.. bootstrap.Nodes.OrderBy(n => n.Id, StringComparer.Ordinal)], [.. bootstrap.Shards.OrderBy(s => s.Id)], index)
                {
                    ApiKeys = map.ApiKeys,
                };
                return null;
            case RegisterNode register:
                return Register(index, register);
            case StartMigration start:
                return Start(index, start);
            case AdvanceMigration advance:
                return Advance(index, advance);
            case CancelMigration cancel:
                return Cancel(index, cancel);
            case CompleteMigration complete:
                return Complete(index, complete);
            case UndoMigration undo:
                return Undo(index, undo);
            case DrainNode drain:
                return Drain(index, drain);
            case UndrainNode undrain:
                return Undrain(index, undrain);
            case CompleteDrain drained:
                return CompleteDrain(index, drained);
            case RemoveNode remove:
                return Remove(index, remove);
            case SetRebalancerSettings set:
                return SetRebalancer(index, set);
            case HandOverLeadership handover:
                return HandOver(index, handover);
            case CreateApiKey create:
                return CreateKey(index, create);
            case RevokeApiKey revoke:
                return RevokeKey(index, revoke);
            default:
                return $"unknown meta command {command.GetType().Name}.";
        }
    }

    /// <summary>The map as snapshot bytes.</summary>
    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(Map, Json);

    /// <summary>A state machine holding the map of a snapshot.</summary>
    /// <exception cref="FormatException">The bytes are not a cluster map.</exception>
    public static MetaStateMachine Restore(ReadOnlySpan<byte> data)
    {
        try
        {
            return new MetaStateMachine { Map = JsonSerializer.Deserialize<ClusterMap>(data, Json) ?? throw new FormatException("A cluster map is null.") };
        }
        catch (JsonException e)
        {
            throw new FormatException("The bytes are not a cluster map.", e);
        }
    }
}
