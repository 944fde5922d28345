using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using NodeNomad.Contracts;
using NodeNomad.Node.Api;
using NodeNomad.Node.Configuration;
using NodeNomad.Node.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using NodeNomad.Node.Health;
using NodeNomad.Node.Peers;
using NodeNomad.Node.Security;
using NodeNomad.Node.Shards;
using NodeNomad.Node.Telemetry;
using NodeNomad.Node.Transport;
using NodeNomad.Storage;
using NodeNomad.Storage.Marten;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace NodeNomad.Node;

/// <summary>The node's composition: configuration, storage, the shard, telemetry, health and the API.</summary>
public static class NodeServices
{
    /// <summary>The log's folder inside the data folder.</summary>
    public const string LogFolder = "log";

    /// <summary>Registers everything a node runs.</summary>
    public static WebApplicationBuilder AddNodeNomadNode(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // The node is usually started from another folder (the launcher, scripts, tests), where its content root has
        // no appsettings.json: the one beside the binaries gives the defaults (quiet request logging), below every
        // other source, so environment variables still override it.
        if (File.Exists(Path.Combine(AppContext.BaseDirectory, "appsettings.json")))
        {
            ((IConfigurationBuilder)builder.Configuration).Sources.Insert(0, new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource
            {
                Path = "appsettings.json",
                Optional = true,
                FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(AppContext.BaseDirectory),
            });
        }

        var services = builder.Services;
        services.AddOptions<NodeOptions>()
            .Configure<IConfiguration>((options, configuration) =>
            {
                options.Bind(configuration);
                HostIdentity.Apply(options, SystemHostLookup.Instance);
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<NodeOptions>, NodeOptionsValidator>();
        services.AddOptions<ClientAccessOptions>()
            .Configure<IConfiguration>((options, configuration) => options.Bind(configuration))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ClientAccessOptions>, ClientAccessOptionsValidator>();
        services.AddSingleton<ClientCredentials>();
        services.AddSingleton<CallerRateLimiter>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => NodeIdentity.Load(sp.GetRequiredService<IOptions<NodeOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IRaftLog>(sp => CreateLog(sp.GetRequiredService<IOptions<NodeOptions>>().Value));
        services.AddSingleton<NodeMetrics>();
        services.AddSingleton<ClusterTopology>();
        services.AddSingleton<PeerHttp>();
        services.AddSingleton<ForwardLanes>();
        services.AddSingleton<LeaderForwarder>();
        services.AddNodeNomadTransport();
        services.AddSingleton<ReplicaHost>();
        services.AddHostedService(sp => sp.GetRequiredService<ReplicaHost>());
        services.AddSingleton<ClusterObserver>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterObserver>());
        services.AddSingleton<ClusterSteward>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterSteward>());
        services.AddHostedService<MetaForwarder>();
        services.AddHostedService<RebalancerLoadFeed>();
        services.AddSingleton<ShardRouter>();
        services.AddSingleton<ExpiryPurger>();
        services.AddHostedService(sp => sp.GetRequiredService<ExpiryPurger>());
        services.AddFleetReporter();

        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            // A body that outgrows the limit while it is read (no Content-Length up front) fails inside Kestrel, and so
            // does one cut short or broken into bad chunks: Kestrel's reason says which, and names nothing secret.
            if (context.Exception is Microsoft.AspNetCore.Http.BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
            {
                context.ProblemDetails.Detail = $"The request body is larger than this node accepts ({ClientAccessOptions.Keys.MaxRequestBodyBytes}).";
            }
            else if (context.Exception is Microsoft.AspNetCore.Http.BadHttpRequestException bad)
            {
                context.ProblemDetails.Detail = $"The request could not be read: {bad.Message}";
            }
            else if (context.ProblemDetails.Detail is null && context.Exception is not null)
            {
                context.ProblemDetails.Detail = "The node failed to serve the request; its log says why.";
            }
        });
        services.Configure<ExceptionHandlerOptions>(handler => handler.StatusCodeSelector = e => e is Microsoft.AspNetCore.Http.BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError);
        services.AddOpenApi();
        services.AddHealthChecks()
            .AddCheck<RecoveryHealthCheck>("recovery", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<StorageHealthCheck>("storage", tags: [HealthEndpoints.ReadyTag]);
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.Clear().AddDetector(sp => new NodeResourceDetector(sp.GetRequiredService<IOptions<NodeOptions>>())))
            .WithMetrics(metrics => metrics
            .AddMeter(NodeMetrics.MeterName)
            .AddMeter(RaftTransportMetrics.MeterName)
            .AddMeter("System.Runtime")
            .AddAspNetCoreInstrumentation()
            .AddPrometheusExporter());

        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.Limits.MaxRequestBodySize = kestrel.ApplicationServices.GetRequiredService<IOptions<ClientAccessOptions>>().Value.MaxRequestBodyBytes;
            var options = kestrel.ApplicationServices.GetRequiredService<IOptions<NodeOptions>>().Value;
            var certificate = options.Tls ? TlsFiles.LoadCertificate(options.TlsCertFile!, options.TlsKeyFile!) : null;
            Listen(kestrel, options.Host, options.Port, listen =>
            {
                if (certificate is null)
                {
                    // HTTP/2 without TLS needs prior knowledge, which browsers and curl do not use by default: the client port speaks HTTP/1.1.
                    listen.Protocols = HttpProtocols.Http1;
                }
                else
                {
                    // With TLS, ALPN offers both, and nothing is served in clear.
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    listen.UseHttps(certificate);
                }
            });

            // The peer port speaks HTTP/2 only: Raft streams and forwarded requests; over TLS when the node has a
            // certificate, else cleartext with prior knowledge.
            Listen(kestrel, options.Host, options.EffectivePeerPort, listen =>
            {
                listen.UsePeerProtocol();
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        });
        return builder;
    }

    /// <summary>The log the options choose: files under the data folder, or the node's stream in PostgreSQL.</summary>
    private static IRaftLog CreateLog(NodeOptions options) => options.Storage == NodeOptions.MartenStorage
        ? new MartenRaftLog(options.MartenLogOptions())
        : new FileRaftLog(Path.Combine(options.EffectiveDataDir, LogFolder), new FileRaftLogOptions());

    private static void Listen(KestrelServerOptions kestrel, string host, int port, Action<ListenOptions> configure)
    {
        if (host is "0.0.0.0" or "*" or "::")
        {
            kestrel.ListenAnyIP(port, configure);
        }
        else if (host is "localhost")
        {
            kestrel.ListenLocalhost(port, configure);
        }
        else
        {
            kestrel.Listen(System.Net.IPAddress.Parse(host), port, configure);
        }
    }

    /// <summary>Maps the node's endpoints and error handling.</summary>
    public static WebApplication UseNodeNomadNode(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodeProblems();
        app.UseMiddleware<PeerPortGate>();
        app.UseMiddleware<ClientGate>();
        app.MapOpenApi().OpenToAnyone();
        app.MapKeyValueApi();
        app.MapClusterApi();
        app.MapMigrationApi();
        app.MapNodeMembershipApi();
        app.MapRebalancerApi();
        app.MapApiKeysApi();
        app.MapNodeHealth();
        app.MapPrometheusScrapingEndpoint().RequireScope(Contracts.ApiScopes.Read);
        app.MapPeerApi();
        app.MapForwardedBatches();
        app.MapNodeNomadTransport();
        return app;
    }
}
