namespace NodeNomad.Linearizability.Tests;

/// <summary>Short ways to write NodeNomad key-value histories by hand in tests.</summary>
internal static class Kv
{
    public static readonly NodeNomadKvModel Model = new();

    public static Operation<NodeNomadKvInput, NodeNomadKvOutput> Put(int client, string key, string value, long call, long @return) =>
        new(client, NodeNomadKvInput.Put(key, value), call, NodeNomadKvOutput.Ok, @return);

    public static Operation<NodeNomadKvInput, NodeNomadKvOutput> PutUnanswered(int client, string key, string value, long call) =>
        new(client, NodeNomadKvInput.Put(key, value), call);

    public static Operation<NodeNomadKvInput, NodeNomadKvOutput> Get(int client, string key, string? returned, long call, long @return) =>
        new(client, NodeNomadKvInput.Get(key), call, NodeNomadKvOutput.Read(returned), @return);

    public static Operation<NodeNomadKvInput, NodeNomadKvOutput> Delete(int client, string key, long call, long @return) =>
        new(client, NodeNomadKvInput.Delete(key), call, NodeNomadKvOutput.Ok, @return);

    public static Operation<NodeNomadKvInput, NodeNomadKvOutput> Cas(int client, string key, string? expected, string value, bool swapped, long call, long @return) =>
        new(client, NodeNomadKvInput.CompareAndSet(key, expected, value), call, swapped ? NodeNomadKvOutput.Ok : NodeNomadKvOutput.CompareFailed, @return);

    public static Verdict Check(params Operation<NodeNomadKvInput, NodeNomadKvOutput>[] history) =>
        LinearizabilityChecker.Check(Model, history).Verdict;
}
