namespace NodeNomad.Raft.Simulation.Tests;

public class ReplicaKvStoreTests
{
    [Fact]
    public void compare_and_set_writes_only_when_it_finds_the_expected_value()
    {
        var store = new ReplicaKvStore();

        store.Apply(Cas("k", expected: null, "a")).ShouldBeTrue();
        store.Apply(Cas("k", expected: null, "b")).ShouldBeFalse();
        store.Apply(Cas("k", expected: "a", "c")).ShouldBeTrue();

        store.Get("k").ShouldBe("c");
    }

    [Fact]
    public void a_put_always_writes()
    {
        var store = new ReplicaKvStore();

        store.Apply(new KvCommand(1, KvCommandKind.Put, "k", "v", null)).ShouldBeTrue();

        store.Get("k").ShouldBe("v");
        store.Get("other").ShouldBeNull();
    }

    [Fact]
    public void a_snapshot_restores_the_same_contents_and_fingerprint()
    {
        var store = new ReplicaKvStore();
        store.Apply(new KvCommand(1, KvCommandKind.Put, "k1", "v1", null));
        store.Apply(new KvCommand(2, KvCommandKind.Put, "ü€", "😀", null));

        var restored = ReplicaKvStore.Restore(store.Serialize());

        restored.Get("k1").ShouldBe("v1");
        restored.Get("ü€").ShouldBe("😀");
        restored.Fingerprint().ShouldBe(store.Fingerprint());
        ReplicaKvStore.Restore(ReadOnlyMemory<byte>.Empty).Count.ShouldBe(0);
    }

    [Fact]
    public void different_contents_have_different_fingerprints()
    {
        var one = new ReplicaKvStore();
        var other = new ReplicaKvStore();
        one.Apply(new KvCommand(1, KvCommandKind.Put, "k", "a", null));
        other.Apply(new KvCommand(1, KvCommandKind.Put, "k", "b", null));

        one.Fingerprint().ShouldNotBe(other.Fingerprint());
        one.Fingerprint().ShouldNotBe(new ReplicaKvStore().Fingerprint());
    }

    [Fact]
    public void a_command_survives_its_encoding()
    {
        var command = new KvCommand(42, KvCommandKind.CompareAndSet, "ключ", "新", null);

        var decoded = KvCommand.Decode(command.Encode());

        decoded.ShouldBe(command);
        KvCommand.IdOf(command.Encode()).ShouldBe(42UL);
        KvCommand.Decode(new KvCommand(7, KvCommandKind.CompareAndSet, "k", "v", "").Encode()).Expected.ShouldBe("");
        Should.Throw<InvalidDataException>(() => KvCommand.Decode(new byte[] { 9, 0, 0 }));
    }

    private static KvCommand Cas(string key, string? expected, string value) => new(1, KvCommandKind.CompareAndSet, key, value, expected);
}
