using NodeNomad.Contracts;
using NodeNomad.Core.Cluster;

namespace NodeNomad.Core.Tests.Cluster;

/// <summary>The meta group's record of client API keys: hashes and scopes, kept through snapshots, revoked by id.</summary>
public class ApiKeyRecordingTests
{
    private static MetaStateMachine Cluster()
    {
        var machine = new MetaStateMachine();
        var nodes = new[] { "a", "b", "c" }.Select(id => new NodeRecord(id, id + ":1", "", 1, NodeRecord.Active)).ToList();
        var shards = HashRange.Split(2).Select((r, i) => new ShardRecord(i, r.Start, r.End, ["a", "b", "c"], [], ShardRecord.FirstEpoch)).ToList();
        machine.Apply(1, new BootstrapCluster("c1", 3, nodes, shards)).ShouldBeNull();
        return machine;
    }

    private static ApiKeyRecord Key(string id = "k1", string hash = "aa", params string[] scopes) =>
        new(id, "reports", scopes.Length == 0 ? [ApiScopes.Read] : scopes, hash, 1_000);

    [Fact]
    public void a_created_key_is_in_the_map_and_survives_a_snapshot()
    {
        var machine = Cluster();
        machine.Apply(2, new CreateApiKey(Key(scopes: [ApiScopes.Read, ApiScopes.Write]))).ShouldBeNull();

        var restored = MetaStateMachine.Restore(machine.Serialize());

        var key = restored.Map.ApiKeys.ShouldHaveSingleItem();
        key.Id.ShouldBe("k1");
        key.Hash.ShouldBe("aa");
        key.Scopes.ShouldBe([ApiScopes.Read, ApiScopes.Write]);
        restored.Map.Version.ShouldBe(2);
    }

    [Fact]
    public void a_command_round_trips_through_the_log_encoding()
    {
        var decoded = MetaStateMachine.Decode(MetaStateMachine.Encode(new CreateApiKey(Key()))).ShouldBeOfType<CreateApiKey>().Key;
        (decoded.Id, decoded.Name, decoded.Hash, decoded.CreatedAt).ShouldBe(("k1", "reports", "aa", 1_000L));
        decoded.Scopes.ShouldBe([ApiScopes.Read]);
    }

    [Fact]
    public void a_revoked_key_is_gone_and_a_second_revoke_is_refused()
    {
        var machine = Cluster();
        machine.Apply(2, new CreateApiKey(Key())).ShouldBeNull();
        machine.Apply(3, new RevokeApiKey("k1", 2_000, "tests")).ShouldBeNull();
        machine.Map.ApiKeys.ShouldBeEmpty();
        machine.Apply(4, new RevokeApiKey("k1", 2_000, "tests")).ShouldNotBeNull().ShouldContain("no API key k1");
    }

    [Theory]
    [InlineData("k1", "bb", "read", "already exists")]
    [InlineData("k2", "aa", "read", "already exists")]
    [InlineData("k2", "bb", "root", "scopes must be")]
    public void a_key_that_clashes_or_grants_an_unknown_scope_is_refused(string id, string hash, string scope, string reason)
    {
        var machine = Cluster();
        machine.Apply(2, new CreateApiKey(Key())).ShouldBeNull();
        machine.Apply(3, new CreateApiKey(Key(id, hash, scope))).ShouldNotBeNull().ShouldContain(reason);
        machine.Map.ApiKeys.Count.ShouldBe(1);
    }

    [Fact]
    public void keys_created_before_bootstrap_are_kept_by_it()
    {
        var machine = new MetaStateMachine();
        machine.Apply(1, new CreateApiKey(Key())).ShouldBeNull();
        var nodes = new[] { new NodeRecord("a", "a:1", "", 1, NodeRecord.Active) };
        machine.Apply(2, new BootstrapCluster("c1", 1, nodes, [new ShardRecord(0, 0, ulong.MaxValue, ["a"], [], ShardRecord.FirstEpoch)])).ShouldBeNull();
        machine.Map.ApiKeys.ShouldHaveSingleItem().Id.ShouldBe("k1");
    }
}
