using Marten;
using Npgsql;

namespace NodeNomad.Storage.Marten;

/// <summary>
/// The session of one save or compaction and, when it stores snapshots, the transaction and connection it runs in
/// (the snapshots' bytes already copied into it) and the documents it stores; disposing it disposes all three.
/// </summary>
internal sealed class SnapshotWrite(
    IDocumentSession session, List<GroupSnapshotDocument> documents, NpgsqlTransaction? transaction, NpgsqlConnection? connection) : IAsyncDisposable
{
    public IDocumentSession Session => session;

    public List<GroupSnapshotDocument> Documents => documents;

    public async ValueTask DisposeAsync()
    {
        await session.DisposeAsync().ConfigureAwait(false);
        if (transaction is not null)
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
        }

        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
