using System.Collections.Concurrent;
using Marten;
using NodeNomad.Storage.Marten;
using NodeNomad.Testing;

[assembly: AssemblyFixture(typeof(NodeNomad.Storage.Tests.Marten.MartenTestDatabase))]

namespace NodeNomad.Storage.Tests.Marten;

/// <summary>
/// The PostgreSQL the Marten storage tests run against (the shared <see cref="PostgresServer"/>: a throwaway server,
/// or <c>NODENOMAD_TEST_POSTGRES</c>), with Marten stores on it. Each test class asks for a store on a schema of its own.
/// </summary>
public sealed class MartenTestDatabase : PostgresServer
{
    private readonly ConcurrentDictionary<string, DocumentStore> _stores = [];

    /// <summary>A store on <paramref name="schema"/>, shared by the tests that ask for the same schema.</summary>
    public DocumentStore Store(string schema) =>
        _stores.GetOrAdd(schema, s => MartenRaftLog.CreateStore(Options(s, "unused")));

    /// <summary>Options of a log of <paramref name="nodeId"/> on <paramref name="schema"/>.</summary>
    public MartenRaftLogOptions Options(string schema, string nodeId) => new() { ConnectionString = ConnectionString, SchemaName = schema, NodeId = nodeId };

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        foreach (DocumentStore store in _stores.Values)
        {
            await store.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}
