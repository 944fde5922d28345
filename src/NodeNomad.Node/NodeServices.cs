using Microsoft.Extensions.Options;
using NodeNomad.Node.Api;
using NodeNomad.Node.Configuration;
using NodeNomad.Node.Health;
using NodeNomad.Node.Shards;
using NodeNomad.Node.Telemetry;
using NodeNomad.Storage;
using OpenTelemetry.Metrics;

namespace NodeNomad.Node;

/// <summary>The node's composition: configuration, storage, the shard, telemetry, health and the API.</summary>
public static class NodeServices
{
    /// <summary>The log's folder inside the data folder.</summary>
    public const string LogFolder = "log";

    /// <summary>Largest request body accepted: a 1 MiB value with room for JSON escaping.</summary>
    public const long MaxRequestBodyBytes = 8L * 1024 * 1024;

    /// <summary>Registers everything a node runs.</summary>
    public static WebApplicationBuilder AddNodeNomadNode(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<NodeOptions>().Configure<IConfiguration>((options, configuration) => options.Bind(configuration)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<NodeOptions>, NodeOptionsValidator>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => NodeIdentity.Load(sp.GetRequiredService<IOptions<NodeOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IRaftLog>(sp =>
            new FileRaftLog(Path.Combine(sp.GetRequiredService<IOptions<NodeOptions>>().Value.EffectiveDataDir, LogFolder), new FileRaftLogOptions()));
        services.AddSingleton<NodeMetrics>();
        services.AddSingleton<ShardReplica>();
        services.AddHostedService(sp => sp.GetRequiredService<ShardReplica>());
        services.AddSingleton<ExpiryPurger>();
        services.AddHostedService(sp => sp.GetRequiredService<ExpiryPurger>());

        services.AddProblemDetails();
        services.AddOpenApi();
        services.AddHealthChecks()
            .AddCheck<RecoveryHealthCheck>("recovery", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<StorageHealthCheck>("storage", tags: [HealthEndpoints.ReadyTag]);
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(NodeMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            .AddPrometheusExporter());

        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            var options = kestrel.ApplicationServices.GetRequiredService<IOptions<NodeOptions>>().Value;
            if (options.Host is "0.0.0.0" or "*" or "::")
            {
                kestrel.ListenAnyIP(options.Port);
            }
            else if (options.Host is "localhost")
            {
                kestrel.ListenLocalhost(options.Port);
            }
            else
            {
                kestrel.Listen(System.Net.IPAddress.Parse(options.Host), options.Port);
            }
        });
        return builder;
    }

    /// <summary>Maps the node's endpoints and error handling.</summary>
    public static WebApplication UseNodeNomadNode(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodeProblems();
        app.MapOpenApi();
        app.MapKeyValueApi();
        app.MapClusterApi();
        app.MapNodeHealth();
        app.MapPrometheusScrapingEndpoint();
        return app;
    }
}
