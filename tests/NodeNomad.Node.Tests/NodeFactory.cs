using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NodeNomad.Storage;

namespace NodeNomad.Node.Tests;

/// <summary>
/// The real node application in memory, on its own temporary data folder (kept across <see cref="Restart"/>,
/// removed when the test process exits), with an optional manual clock or log in place of the real ones.
/// </summary>
public sealed class NodeFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public NodeFactory(Dictionary<string, string?>? settings = null, string? dataDir = null, ManualClock? clock = null, Func<IRaftLog, IRaftLog>? wrapLog = null)
    {
        // A restarted node reuses the folder after the first factory is disposed, so folders are removed when the test process exits.
        if (dataDir is null)
        {
            dataDir = Directory.CreateTempSubdirectory("nodenomad-test-").FullName;
            TempDirs.Add(dataDir);
        }

        DataDir = dataDir;
        _settings = new Dictionary<string, string?>(settings ?? []) { ["DATA_DIR"] = DataDir };
        _settings.TryAdd("Logging:LogLevel:Default", "Warning");
        Clock = clock;
        WrapLog = wrapLog;
    }

    public string DataDir { get; }

    public ManualClock? Clock { get; }

    public Func<IRaftLog, IRaftLog>? WrapLog { get; }

    /// <summary>A new factory on the same data folder: the node starts again from what it persisted.</summary>
    public NodeFactory Restart(Func<IRaftLog, IRaftLog>? wrapLog = null) => new(_settings, DataDir, Clock, wrapLog);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(_settings));
        builder.ConfigureServices(services =>
        {
            if (Clock is not null)
            {
                services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock));
            }

            if (WrapLog is not null)
            {
                var original = services.Single(d => d.ServiceType == typeof(IRaftLog));
                services.Remove(original);
                services.AddSingleton(sp => WrapLog((IRaftLog)original.ImplementationFactory!(sp)));
            }
        });
    }

    private static readonly System.Collections.Concurrent.ConcurrentBag<string> TempDirs = [];

    static NodeFactory() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var dir in TempDirs)
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    };
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
