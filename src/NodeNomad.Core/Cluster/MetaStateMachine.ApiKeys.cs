using NodeNomad.Contracts;

namespace NodeNomad.Core.Cluster;

// Client API keys: created with their hash, revoked by id. The meta leader checks a request before proposing it;
// the checks here hold for whatever reaches the log, so every replica refuses the same commands.
public sealed partial class MetaStateMachine
{
    private string? CreateKey(long index, CreateApiKey create)
    {
        var key = create.Key;
        if (key is null || string.IsNullOrEmpty(key.Id) || string.IsNullOrEmpty(key.Hash) || string.IsNullOrWhiteSpace(key.Name))
        {
            return "an API key needs an id, a name and a hash.";
        }

        if (key.Scopes is not { Count: > 0 } || key.Scopes.Any(s => !ApiScopes.All.Contains(s, StringComparer.Ordinal)))
        {
            return $"an API key's scopes must be some of {string.Join(", ", ApiScopes.All)}.";
        }

        if (Map.ApiKeys.Any(k => k.Id == key.Id || k.Hash == key.Hash))
        {
            return $"API key {key.Id} already exists.";
        }

        if (Map.ApiKeys.Count >= ApiKeyRecord.MaxKeys)
        {
            return $"the cluster holds {ApiKeyRecord.MaxKeys} API keys already; revoke some first.";
        }

        Map = Map with { ApiKeys = [.. Map.ApiKeys.Append(key).OrderBy(k => k.Id, StringComparer.Ordinal)], Version = index };
        return null;
    }

    private string? RevokeKey(long index, RevokeApiKey revoke)
    {
        if (Map.ApiKeys.All(k => k.Id != revoke.Id))
        {
            return $"there is no API key {revoke.Id}.";
        }

        Map = Map with { ApiKeys = [.. Map.ApiKeys.Where(k => k.Id != revoke.Id)], Version = index };
        return null;
    }
}
