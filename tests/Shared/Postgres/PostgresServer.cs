using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace NodeNomad.Testing;

/// <summary>
/// The PostgreSQL the Marten tests run against: <c>NODENOMAD_TEST_POSTGRES</c> when it gives a connection string,
/// else a throwaway server (initdb into a temporary folder, pg_ctl on a free loopback port, as the postgres user),
/// stopped and deleted when the tests end. Tests share it by using a schema of their own. Shared by the test
/// projects (tests/Shared/Postgres): each declares it as a fixture (assembly or class) itself.
/// </summary>
public class PostgresServer : IAsyncLifetime
{
    private const string Database = "nodenomad_tests";
    private string? _folder;
    private string? _binaries;

    /// <summary>The connection string of the test database.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("NODENOMAD_TEST_POSTGRES") is { Length: > 0 } given)
        {
            ConnectionString = given;
            return;
        }

        _binaries = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out int v) ? v : 0)
                .FirstOrDefault()
            : null;
        if (_binaries is null)
        {
            throw new InvalidOperationException(
                "No PostgreSQL server binaries in /usr/lib/postgresql/*/bin: install them (apt-get install -y postgresql), or set NODENOMAD_TEST_POSTGRES to a connection string.");
        }

        _folder = Path.Combine(Path.GetTempPath(), "nodenomad-postgres-" + Guid.NewGuid().ToString("N"));
        string data = Path.Combine(_folder, "data");
        Directory.CreateDirectory(_folder);
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", "-R", "postgres:postgres", _folder);
        }

        int port = FreePort();
        await RunAsServerAsync("initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8");
        await RunAsServerAsync("pg_ctl", "-D", data, "-l", Path.Combine(_folder, "server.log"), "-w", "-t", "60",
            "-o", $"-p {port} -h 127.0.0.1 -k {_folder}", "start");

        string server = $"Host=127.0.0.1;Port={port};Username=postgres;Pooling=false";
        await using (var connection = new NpgsqlConnection(server + ";Database=postgres"))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"create database {Database}", connection);
            await create.ExecuteNonQueryAsync();
        }

        ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database={Database}";
    }

    /// <summary>Stops the throwaway server and deletes its folder (nothing, when the server was given).</summary>
    public virtual async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_folder is null)
        {
            return;
        }

        await RunAsServerAsync("pg_ctl", "-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w", "stop");
        Directory.Delete(_folder, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Task RunAsServerAsync(string program, params string[] arguments)
    {
        string path = Path.Combine(_binaries!, program);
        return Environment.UserName == "root"
            ? RunAsync("runuser", ["-u", "postgres", "--", path, .. arguments])
            : RunAsync(path, arguments);
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await output}\n{await error}");
        }
    }
}
