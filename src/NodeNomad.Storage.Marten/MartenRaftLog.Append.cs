using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace NodeNomad.Storage.Marten;

/// <summary>
/// The append of a plain batch (entries and hard states, no snapshot, no dropped group, on a stream that exists) in one
/// round trip. Through a Marten session it takes two: the event's function call, then the transaction's commit. Here
/// the same function (<c>mt_quick_append_events</c>, which Marten created with the schema) is called with the same
/// arguments the session would pass, as one prepared statement on a connection the log keeps, in the statement's own
/// transaction; the function checks the stream's version itself and raises <c>MT003</c> when another process wrote
/// first, so fencing holds and the row it writes is the one Marten would have written, read back by Marten alike.
/// </summary>
public sealed partial class MartenRaftLog
{
    // What the function raises when the stream's version is not the one stated: another process appended first.
    private const string VersionMismatch = "MT003";

    // Marten's tenant for a store without tenancy, which the stream rows carry.
    private const string DefaultTenant = "*DEFAULT*";

    private NpgsqlConnection? _appendConnection;
    private NpgsqlCommand? _appendCommand;

    /// <summary>Whether <see cref="AppendDirectAsync"/> can store this batch: a plain append to a stream that exists.</summary>
    private bool AppendsDirectly(List<ulong> dropped, List<GroupWrite> writes) =>
        _version > 0 && dropped.Count == 0 && writes.TrueForAll(w => w.Snapshot is null);

    /// <summary>Appends <paramref name="appended"/> at the version after the one this instance last saw, in one statement.</summary>
    private async Task AppendDirectAsync(LogBatchAppended appended, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            NpgsqlCommand command = _appendCommand ?? await PrepareAppendAsync(cancellationToken).ConfigureAwait(false);
            command.Parameters[0].Value = StreamKey;
            command.Parameters[3].Value = new[] { Guid.CreateVersion7() };
            command.Parameters[6].Value = new[] { _store.Options.Serializer().ToJson(appended) };
            command.Parameters[8].Value = new[] { DateTimeOffset.UtcNow };
            command.Parameters[9].Value = _version;
            _ = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == VersionMismatch)
        {
            _state = LogState.Fenced;
            await CloseAppendConnectionAsync().ConfigureAwait(false);
            throw Fenced(e);
        }
        catch
        {
            // Whether the statement committed is unknown (the connection may have broken after it): the log knows nothing.
            _state = LogState.Failed;
            await CloseAppendConnectionAsync().ConfigureAwait(false);
            throw;
        }

        _lastSyncMilliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private async Task<NpgsqlCommand> PrepareAppendAsync(CancellationToken cancellationToken)
    {
        var eventType = _store.Options.Events.AllKnownEventTypes().Single(t => t.EventType == typeof(LogBatchAppended));
        NpgsqlConnection connection = _store.Storage.Database.CreateConnection();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = new NpgsqlCommand($"select {_store.Options.Events.DatabaseSchemaName}.mt_quick_append_events($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)", connection);
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Varchar });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Varchar, Value = DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Varchar, TypedValue = DefaultTenant });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
            command.Parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar, TypedValue = [eventType.EventTypeName] });
            command.Parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar, TypedValue = [eventType.DotNetTypeName] });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea, Value = new byte[]?[] { null } });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint });
            await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
            (_appendConnection, _appendCommand) = (connection, command);
            return command;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Closes the append's connection: a failed one is not reused, and a disposed log holds none.</summary>
    private async ValueTask CloseAppendConnectionAsync()
    {
        if (_appendCommand is { } command)
        {
            await command.DisposeAsync().ConfigureAwait(false);
        }

        if (_appendConnection is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        (_appendCommand, _appendConnection) = (null, null);
    }
}
