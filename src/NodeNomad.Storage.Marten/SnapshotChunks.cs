using System.Data;
using System.Globalization;
using System.Security.Cryptography;
using Npgsql;
using NpgsqlTypes;
using NodeNomad.Raft;

namespace NodeNomad.Storage.Marten;

/// <summary>
/// A snapshot's bytes in PostgreSQL, as rows of at most <see cref="ChunkBytes"/> in a bytea table beside the snapshot
/// documents: written with binary COPY from the snapshot's stream and read back a row at a time into a local file, so
/// neither side ever holds the whole snapshot, and no jsonb value limits its size. A stored snapshot's rows have the
/// id of its document, <c>{nodeId}/{groupId}</c>; rows staged ahead have an id of their own until they are renamed to it.
/// </summary>
internal static class SnapshotChunks
{
    /// <summary>The table's name, in the log's schema.</summary>
    public const string Table = "nn_snapshot_chunks";

    /// <summary>The largest row: 1 MiB.</summary>
    public const int ChunkBytes = 1 << 20;

    // In the id of staged rows only: a group's snapshot id is "{nodeId}/{groupId}".
    private const string StagedMark = "/staged/";

    /// <summary>
    /// Creates the table in <paramref name="schema"/> unless it is there. Several nodes may open their logs on one
    /// schema at once, and PostgreSQL refuses concurrent creation of one table even with <c>if not exists</c> (a
    /// unique violation in its catalogue), so creation is serialized by an advisory lock held for its transaction.
    /// </summary>
    /// <remarks>
    /// The table is our own DDL rather than one of Marten's extended schema objects: Marten's migration left it out of
    /// some schemas whose own tables it created ("relation does not exist" at the first snapshot), and one source of
    /// the table's shape cannot drift from another.
    /// </remarks>
    public static async Task CreateTableAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        if (await ExistsAsync(connection, schema, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var lockSchema = new NpgsqlCommand("select pg_advisory_xact_lock(hashtext($1))", connection, transaction))
        {
            _ = lockSchema.Parameters.Add(new NpgsqlParameter { Value = $"nodenomad-snapshot-chunks:{schema}" });
            _ = await lockSchema.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var create = new NpgsqlCommand(
            $"""
             create schema if not exists {schema};
             create table if not exists {schema}.{Table} (
                 snapshot_id text not null,
                 seq integer not null,
                 data bytea not null,
                 primary key (snapshot_id, seq));
             """,
            connection,
            transaction))
        {
            _ = await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads nothing from the table, so a missing one fails now, with PostgreSQL's undefined-table error like any of
    /// the log's tables, rather than at the first snapshot.
    /// </summary>
    public static async Task ProbeAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"select from {schema}.{Table} limit 0", connection);
        _ = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<bool> ExistsAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("select to_regclass($1) is not null", connection);
        _ = command.Parameters.Add(new NpgsqlParameter { Value = $"{schema}.{Table}" });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// Replaces the rows of <paramref name="snapshotId"/> with <paramref name="data"/>, inside
    /// <paramref name="transaction"/>; answers the number of rows, the length and the SHA-256 written.
    /// </summary>
    public static async Task<StoredChunks> WriteAsync(
        NpgsqlTransaction transaction, string schema, string snapshotId, SnapshotData data, CancellationToken cancellationToken)
    {
        await DeleteAsync(transaction, schema, snapshotId, cancellationToken).ConfigureAwait(false);
        return await CopyAsync(transaction, schema, snapshotId, data, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Copies <paramref name="data"/> under <paramref name="stagedId"/> in a transaction of its own, committed, so that
    /// a later <see cref="TakeStagedAsync"/> only renames the rows.
    /// </summary>
    public static async Task<StoredChunks> StageAsync(
        NpgsqlConnection connection, string schema, string stagedId, SnapshotData data, CancellationToken cancellationToken)
    {
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        StoredChunks stored = await CopyAsync(transaction, schema, stagedId, data, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return stored;
    }

    /// <summary>
    /// Replaces the rows of <paramref name="snapshotId"/> with the <paramref name="chunks"/> rows staged under
    /// <paramref name="stagedId"/>, inside <paramref name="transaction"/>: a rename of the rows, whose bytes stay where
    /// PostgreSQL put them. False, leaving <paramref name="snapshotId"/> for the caller to write, when some staged rows
    /// are gone (a recovery of the same node identity swept them).
    /// </summary>
    public static async Task<bool> TakeStagedAsync(
        NpgsqlTransaction transaction, string schema, string snapshotId, string stagedId, int chunks, CancellationToken cancellationToken)
    {
        await DeleteAsync(transaction, schema, snapshotId, cancellationToken).ConfigureAwait(false);
        await using var rename = new NpgsqlCommand(
            $"update {schema}.{Table} set snapshot_id = $1 where snapshot_id = $2", transaction.Connection, transaction);
        _ = rename.Parameters.Add(new NpgsqlParameter { Value = snapshotId });
        _ = rename.Parameters.Add(new NpgsqlParameter { Value = stagedId });
        return await rename.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == chunks;
    }

    /// <summary>Deletes the rows of <paramref name="snapshotIds"/>, inside <paramref name="transaction"/> or on their own.</summary>
    public static async Task DeleteAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string schema, string[] snapshotIds, CancellationToken cancellationToken)
    {
        await using var delete = new NpgsqlCommand($"delete from {schema}.{Table} where snapshot_id = any($1)", connection, transaction);
        _ = delete.Parameters.Add(new NpgsqlParameter { Value = snapshotIds });
        _ = await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The id staged rows of <paramref name="snapshotId"/> are copied under: unique, and marked as staged.</summary>
    public static string StagedIdOf(string snapshotId) => $"{snapshotId}{StagedMark}{Guid.NewGuid():N}";

    /// <summary>
    /// Deletes every staged row of <paramref name="nodeId"/>'s snapshots: rows a process staged and never stored. A
    /// process still staging under the same node identity loses only its head start (see <see cref="TakeStagedAsync"/>).
    /// </summary>
    public static async Task SweepStagedAsync(NpgsqlConnection connection, string schema, string nodeId, CancellationToken cancellationToken)
    {
        await using var sweep = new NpgsqlCommand(
            $"delete from {schema}.{Table} where starts_with(snapshot_id, $1) and strpos(snapshot_id, $2) > 0", connection);
        _ = sweep.Parameters.Add(new NpgsqlParameter { Value = nodeId + "/" });
        _ = sweep.Parameters.Add(new NpgsqlParameter { Value = StagedMark });
        _ = await sweep.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task DeleteAsync(NpgsqlTransaction transaction, string schema, string snapshotId, CancellationToken cancellationToken) =>
        await DeleteAsync(transaction.Connection!, transaction, schema, [snapshotId], cancellationToken).ConfigureAwait(false);

    private static async Task<StoredChunks> CopyAsync(
        NpgsqlTransaction transaction, string schema, string snapshotId, SnapshotData data, CancellationToken cancellationToken)
    {
        NpgsqlConnection connection = transaction.Connection!;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[Math.Min(ChunkBytes, Math.Max(1, data.Length))];
        var chunks = 0;
        var length = 0L;
        await using (NpgsqlBinaryImporter import = await connection.BeginBinaryImportAsync(
            $"copy {schema}.{Table} (snapshot_id, seq, data) from stdin (format binary)", cancellationToken).ConfigureAwait(false))
        {
            await using Stream input = data.OpenRead();
            int read;
            while ((read = await FillAsync(input, buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await import.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await import.WriteAsync(snapshotId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await import.WriteAsync(chunks, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                await import.WriteAsync(new ArraySegment<byte>(buffer, 0, read), NpgsqlDbType.Bytea, cancellationToken).ConfigureAwait(false);
                chunks++;
                length += read;
            }

            _ = await import.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        if (length != data.Length)
        {
            throw new IOException(string.Create(CultureInfo.InvariantCulture, $"snapshot {snapshotId} said it held {data.Length} bytes but {length} were read"));
        }

        return new StoredChunks(chunks, length, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>
    /// Copies the rows of the snapshot <paramref name="document"/> describes into a new file at <paramref name="path"/>,
    /// a row at a time, and checks their count, length and SHA-256 against the document.
    /// </summary>
    /// <exception cref="LogCorruptedException">A row is missing or out of order, or the bytes differ from what was written.</exception>
    public static async Task ReadToFileAsync(
        NpgsqlConnection connection, string schema, GroupSnapshotDocument document, string path, CancellationToken cancellationToken)
    {
        await using var select = new NpgsqlCommand($"select seq, data from {schema}.{Table} where snapshot_id = $1 order by seq", connection);
        _ = select.Parameters.Add(new NpgsqlParameter { Value = document.Id });
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var expected = 0;
        var length = 0L;
        await using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 16, FileOptions.Asynchronous))
        await using (NpgsqlDataReader reader = await select.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false))
        {
            var buffer = new byte[1 << 16];
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var seq = reader.GetInt32(0);
                if (seq != expected)
                {
                    throw Damaged(document, $"row {expected} is missing (the next row is {seq})");
                }

                expected++;
                await using Stream chunk = await reader.GetStreamAsync(1, cancellationToken).ConfigureAwait(false);
                int read;
                while ((read = await chunk.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    length += read;
                }
            }

            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        if (expected != document.Chunks || length != document.Length)
        {
            throw Damaged(document, string.Create(CultureInfo.InvariantCulture,
                $"{expected} rows of {length} bytes were found; the document says {document.Chunks} rows of {document.Length} bytes"));
        }

        var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (!string.Equals(sha256, document.Sha256, StringComparison.Ordinal))
        {
            throw Damaged(document, $"its bytes hash to {sha256}, not to the {document.Sha256} written");
        }
    }

    /// <summary>Deletes the rows of <paramref name="snapshotId"/>, queued in a Marten session's transaction.</summary>
    public static void QueueDelete(global::Marten.IDocumentSession session, string schema, string snapshotId) =>
        session.QueueSqlCommand($"delete from {schema}.{Table} where snapshot_id = ?", snapshotId);

    private static LogCorruptedException Damaged(GroupSnapshotDocument document, string what) =>
        new($"The snapshot {document.Id} at index {document.Index} stored in PostgreSQL is damaged: {what}.");

    private static async Task<int> FillAsync(Stream input, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await input.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }
}
