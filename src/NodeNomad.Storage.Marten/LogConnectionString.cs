using System.Data.Common;
using Npgsql;

namespace NodeNomad.Storage.Marten;

/// <summary>
/// The connection settings the log runs with. Every save is one short transaction of the same few statements, so the
/// log asks Npgsql to keep a connection's session as it is between uses (no <c>DISCARD ALL</c> on each return to the
/// pool) and to prepare the statements it sends again and again. Those two cut a save's round trips and PostgreSQL's
/// parsing and planning: 1.5–1.8× the saves per second of the log alone, as bench-storage measured them. A setting the operator's connection string
/// names itself is left as it is.
/// </summary>
/// <remarks>
/// Keeping the session is safe because nothing the log does leaves state in it: its advisory locks are taken for a
/// transaction (<c>pg_advisory_xact_lock</c>), and it sets no session variables and makes no temporary tables.
/// </remarks>
public static class LogConnectionString
{
    /// <summary>Statements a connection keeps prepared, when the operator did not say.</summary>
    public const int MaxAutoPrepare = 32;

    /// <summary>Uses after which a statement is prepared, when the operator did not say.</summary>
    public const int AutoPrepareMinUsages = 2;

    /// <summary><paramref name="connectionString"/> with the log's defaults for the settings it does not name.</summary>
    /// <exception cref="ArgumentException">The connection string cannot be parsed.</exception>
    public static string Tune(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var named = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(Normalize).ToHashSet(StringComparer.Ordinal);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!named.Contains("noresetonclose"))
        {
            builder.NoResetOnClose = true;
        }

        if (!named.Contains("maxautoprepare"))
        {
            builder.MaxAutoPrepare = MaxAutoPrepare;
        }

        if (!named.Contains("autoprepareminusages"))
        {
            builder.AutoPrepareMinUsages = AutoPrepareMinUsages;
        }

        return builder.ConnectionString;
    }

    private static string Normalize(string key) => key.Replace(" ", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
}
