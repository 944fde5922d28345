using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace NodeNomad.Load;

/// <summary>
/// The PostgreSQL the Marten runs use: the one <c>--postgres</c> names, or a throwaway server (initdb into a
/// temporary folder, pg_ctl on a free 127.0.0.1 port, as the postgres user when this program runs as root) that
/// disposing stops and deletes.
/// </summary>
internal sealed class LocalPostgres : IAsyncDisposable
{
    private const string Database = "nodenomad_bench";

    private readonly DirectoryInfo? folder;
    private readonly string? binaries;

    private LocalPostgres(string connectionString, string description, DirectoryInfo? folder, string? binaries)
    {
        ConnectionString = connectionString;
        Description = description;
        this.folder = folder;
        this.binaries = binaries;
    }

    public string ConnectionString { get; private set; }

    /// <summary>Which server this is, for the tables' titles.</summary>
    public string Description { get; private set; }

    public static async Task<LocalPostgres> StartAsync(string? given, CancellationToken cancellationToken)
    {
        if (given is not null)
        {
            return new LocalPostgres(given, "PostgreSQL given by --postgres", folder: null, binaries: null);
        }

        var binaries = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        if (binaries is null)
        {
            throw new BenchSetupException("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin: install them (apt-get install -y postgresql), or pass --postgres CONNECTION_STRING.");
        }

        var folder = Directory.CreateTempSubdirectory("nodenomad-bench-postgres-");
        return await new LocalPostgres("", "", folder, binaries).ThenAsync(async server =>
        {
            if (Environment.UserName == "root")
            {
                await RunAsync("chown", ["-R", "postgres:postgres", folder.FullName], cancellationToken);
            }

            var port = LocalNode.FreePorts(1)[0];
            var data = Path.Combine(folder.FullName, "data");
            await server.RunAsServerAsync("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"], cancellationToken);
            await server.RunAsServerAsync("pg_ctl", ["-D", data, "-l", Path.Combine(folder.FullName, "server.log"), "-w", "-t", "60",
                "-o", Invariant($"-p {port} -h 127.0.0.1 -k {folder.FullName}"), "start"], cancellationToken);
            var serverConnection = Invariant($"Host=127.0.0.1;Port={port};Username=postgres");
            await using (var connection = new NpgsqlConnection(serverConnection + ";Database=postgres;Pooling=false"))
            {
                await connection.OpenAsync(cancellationToken);
                await using var create = new NpgsqlCommand($"create database {Database}", connection);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            server.ConnectionString = Invariant($"{serverConnection};Database={Database}");
            server.Description = Invariant($"throwaway PostgreSQL {Path.GetFileName(Path.GetDirectoryName(binaries))} on 127.0.0.1:{port} (fsync on)");
        });
    }

    /// <summary>Removes a schema a run created, so that a given database is left as it was.</summary>
    public async Task DropSchemaAsync(string schema)
    {
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync(CancellationToken.None);
            await using var drop = new NpgsqlCommand($"drop schema if exists {schema} cascade", connection) { CommandTimeout = 60 };
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"Could not drop the schema {schema}: {e.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (folder is null)
        {
            return;
        }

        var data = Path.Combine(folder.FullName, "data");
        if (File.Exists(Path.Combine(data, "postmaster.pid")))
        {
            try
            {
                await RunAsServerAsync("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"], CancellationToken.None);
            }
            catch (BenchSetupException e)
            {
                await Console.Error.WriteLineAsync($"Could not stop the throwaway PostgreSQL in {folder.FullName}: {e.Message}");
            }
        }

        try
        {
            folder.Delete(recursive: true);
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"Could not remove the throwaway PostgreSQL folder {folder.FullName}: {e.Message}");
        }
    }

    private Task RunAsServerAsync(string program, string[] arguments, CancellationToken cancellationToken)
    {
        var path = Path.Combine(binaries!, program);
        return Environment.UserName == "root"
            ? RunAsync("runuser", ["-u", "postgres", "--", path, .. arguments], cancellationToken)
            : RunAsync(path, arguments, cancellationToken);
    }

    private static async Task RunAsync(string program, string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new BenchSetupException($"could not start {program}");
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        // initdb and pg_ctl are short; they are left to finish so that the folder is not removed under them.
        await process.WaitForExitAsync(CancellationToken.None);
        if (process.ExitCode != 0)
        {
            throw new BenchSetupException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await output}\n{await error}");
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
