using NodeNomad.Storage.Marten;

namespace NodeNomad.Storage.Tests.Marten;

/// <summary>The <see cref="IRaftLog"/> contract, run against the Marten backend: each test is a node of its own.</summary>
public sealed class MartenRaftLogContractTests(MartenTestDatabase server) : RaftLogContract
{
    private readonly string _nodeId = Guid.NewGuid().ToString("N");

    protected override IRaftLog OpenLog() => new MartenRaftLog(server.Store("contract"), _nodeId);
}
