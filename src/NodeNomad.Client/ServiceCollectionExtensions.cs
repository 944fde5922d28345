using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Refit;

namespace NodeNomad.Client;

/// <summary>Registers the NodeNomad client with dependency injection.</summary>
public static class ServiceCollectionExtensions
{
    private const string ClusterClientName = "NodeNomad.Cluster";
    private static readonly TimeSpan LongestAttempt = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ShortestTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestTimeout = TimeSpan.FromDays(1);

    /// <summary>
    /// Registers <see cref="INodeNomadApi"/> as a typed client of <see cref="IHttpClientFactory"/> with the
    /// standard resilience handler, and <see cref="NodeNomadClient"/> (also as <see cref="INodeNomadClient"/>) on top of it.
    /// The options are validated when the host starts.
    /// </summary>
    /// <remarks>
    /// The standard handler as shipped retries every transient failure whatever the method, a timed-out POST
    /// included. Here reads (GET) keep that behaviour (5xx, 408, 429, connection failures and attempt
    /// timeouts are retried, honouring <c>Retry-After</c>), while writes (POST set and cas, DELETE) are retried
    /// only when the connection to the node could not be made: after the request was sent, a timeout or an
    /// error does not tell whether the node applied it, and a second attempt could apply it twice. Such a
    /// write fails with the error instead, and the caller, who knows whether the write is safe to repeat,
    /// decides. <c>GET /health</c> is never retried. See <c>RetryRules</c>. Requests are logged at Debug under
    /// <c>NodeNomad.Client</c>, and traced and measured by <see cref="ClientTelemetry"/>.
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets <see cref="NodeNomadClientOptions.BaseAddress"/> and, if need be, the timeout.</param>
    /// <returns>The HTTP client builder, to add handlers or configure the client further.</returns>
    public static IHttpClientBuilder AddNodeNomadClient(
        this IServiceCollection services,
        Action<NodeNomadClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        return AddDefaultClient(services, Validated(services.AddOptions<NodeNomadClientOptions>().Configure(configure)));
    }

    /// <summary>
    /// Registers the client as <see cref="AddNodeNomadClient(IServiceCollection, Action{NodeNomadClientOptions})"/> does,
    /// with its options bound from <paramref name="section"/> (<c>BaseAddress</c>, <c>Timeout</c>), e.g.
    /// <c>builder.Configuration.GetSection("NodeNomad")</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="section">The configuration section holding the options.</param>
    /// <returns>The HTTP client builder, to add handlers or configure the client further.</returns>
    public static IHttpClientBuilder AddNodeNomadClient(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        return AddDefaultClient(services, Validated(services.AddOptions<NodeNomadClientOptions>().Bind(section)));
    }

    /// <summary>
    /// Registers a client of one of several clusters under <paramref name="name"/>: resolve it with
    /// <c>[FromKeyedServices("name")] INodeNomadClient</c> or <c>GetRequiredKeyedService&lt;INodeNomadClient&gt;("name")</c>.
    /// Its options are bound from <paramref name="section"/> and validated when the host starts.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The client's name, also its service key.</param>
    /// <param name="section">The configuration section holding its options.</param>
    /// <returns>The HTTP client builder, to add handlers or configure the client further.</returns>
    public static IHttpClientBuilder AddNodeNomadClient(this IServiceCollection services, string name, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(section);
        Validated(services.AddOptions<NodeNomadClientOptions>(name).Bind(section));
        var httpName = $"{ClientTelemetry.Name}.{name}";
        var builder = services.AddHttpClient(httpName).ConfigureHttpClient((provider, http) => Configure(http, Options(provider, name)));
        Decorate(builder, name);
        services.AddKeyedTransient(name, (provider, _) =>
            NodeNomadClient.Create(provider.GetRequiredService<IHttpClientFactory>().CreateClient(httpName)));
        services.AddKeyedTransient<INodeNomadClient>(name, (provider, key) => provider.GetRequiredKeyedService<NodeNomadClient>(key));
        return builder;
    }

    /// <summary>
    /// Registers <see cref="NodeNomadClusterClient"/> (also as <see cref="INodeNomadClient"/>) as a singleton (it caches
    /// the shard map) over a named client of <see cref="IHttpClientFactory"/>. No resilience handler is added: the
    /// cluster client retries on its own terms (redirects, 503s on reads, unreachable nodes; never a write whose
    /// outcome is unknown). The options are validated when the host starts.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Adds the seeds and, if need be, sets timeouts and retries.</param>
    /// <returns>The HTTP client builder, to add handlers or configure the client further.</returns>
    public static IHttpClientBuilder AddNodeNomadClusterClient(
        this IServiceCollection services,
        Action<NodeNomadClusterClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<NodeNomadClusterClientOptions>().Configure(configure).ValidateOnStart();
        return AddClusterClient(services, Microsoft.Extensions.Options.Options.DefaultName);
    }

    /// <summary>
    /// Registers <see cref="NodeNomadClusterClient"/> with its options bound from <paramref name="section"/>
    /// (<c>Seeds</c> as a list of URLs, <c>Timeout</c>, <c>MaxAttempts</c>...).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="section">The configuration section holding the options.</param>
    /// <returns>The HTTP client builder, to add handlers or configure the client further.</returns>
    public static IHttpClientBuilder AddNodeNomadClusterClient(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        services.AddOptions<NodeNomadClusterClientOptions>().Bind(section).ValidateOnStart();
        return AddClusterClient(services, Microsoft.Extensions.Options.Options.DefaultName);
    }

    /// <summary>
    /// Registers the shard-aware client of one of several clusters under <paramref name="name"/> (a keyed singleton of
    /// <see cref="NodeNomadClusterClient"/> and <see cref="INodeNomadClient"/>), its options bound from <paramref name="section"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The client's name, also its service key.</param>
    /// <param name="section">The configuration section holding its options.</param>
    /// <returns>The HTTP client builder, to add handlers or configure the client further.</returns>
    public static IHttpClientBuilder AddNodeNomadClusterClient(this IServiceCollection services, string name, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(section);
        services.AddOptions<NodeNomadClusterClientOptions>(name).Bind(section).ValidateOnStart();
        return AddClusterClient(services, name);
    }

    private static IHttpClientBuilder AddDefaultClient(IServiceCollection services, OptionsBuilder<NodeNomadClientOptions> options)
    {
        var builder = services
            .AddRefitGeneratedClient<INodeNomadApi>(NodeNomadJsonContext.Default)
            .ConfigureHttpClient((provider, http) => Configure(http, Options(provider, options.Name)));
        Decorate(builder, options.Name);
        services.TryAddTransient<NodeNomadClient>();
        services.TryAddTransient<INodeNomadClient>(provider => provider.GetRequiredService<NodeNomadClient>());
        return builder;
    }

    private static IHttpClientBuilder AddClusterClient(IServiceCollection services, string name)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NodeNomadClusterClientOptions>, ClusterClientOptionsValidation>());
        var isDefault = name == Microsoft.Extensions.Options.Options.DefaultName;
        var httpName = isDefault ? ClusterClientName : $"{ClusterClientName}.{name}";
        var builder = services.AddHttpClient(httpName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .AddHttpMessageHandler(() => new ClientTelemetryHandler());
        builder.AddHttpMessageHandler(provider => provider.GetRequiredService<IOptionsMonitor<NodeNomadClusterClientOptions>>().Get(name).ApiKey is { } key
            ? new ApiKeyHandler(key)
            : new PassThrough());
        QuietLogging(builder);
        NodeNomadClusterClient Create(IServiceProvider provider)
        {
            var factory = provider.GetRequiredService<IHttpClientFactory>();
            return new NodeNomadClusterClient(
                () => factory.CreateClient(httpName),
                provider.GetRequiredService<IOptionsMonitor<NodeNomadClusterClientOptions>>().Get(name),
                provider.GetService<TimeProvider>() ?? TimeProvider.System);
        }

        if (isDefault)
        {
            services.TryAddSingleton(Create);
            services.TryAddSingleton<INodeNomadClient>(provider => provider.GetRequiredService<NodeNomadClusterClient>());
        }
        else
        {
            services.AddKeyedSingleton(name, (provider, _) => Create(provider));
            services.AddKeyedSingleton<INodeNomadClient>(name, (provider, key) => provider.GetRequiredKeyedService<NodeNomadClusterClient>(key));
        }

        return builder;
    }

    private static OptionsBuilder<NodeNomadClientOptions> Validated(OptionsBuilder<NodeNomadClientOptions> options) =>
        options
            .Validate(
                o => o.BaseAddress is { IsAbsoluteUri: true },
                "NodeNomadClientOptions.BaseAddress must be an absolute URL such as http://localhost:3001.")
            .Validate(
                o => o.ApiKey is null || (o.ApiKey.Length > 0 && o.ApiKey.All(c => c is > ' ' and <= '~')),
                "NodeNomadClientOptions.ApiKey must be printable ASCII without spaces: it travels in an HTTP header.")
            .Validate(
                o => o.Timeout >= ShortestTimeout && o.Timeout <= LongestTimeout,
                "NodeNomadClientOptions.Timeout must be between 1 second and 1 day.")
            .ValidateOnStart();

    private static NodeNomadClientOptions Options(IServiceProvider provider, string name) =>
        provider.GetRequiredService<IOptionsMonitor<NodeNomadClientOptions>>().Get(name);

    private static void Configure(HttpClient http, NodeNomadClientOptions options)
    {
        http.BaseAddress = options.BaseAddress;

        // The resilience pipeline's total timeout bounds each call; HttpClient's own would cut it short.
        http.Timeout = Timeout.InfiniteTimeSpan;
    }

    /// <summary>Telemetry outside the resilience handler (one span per operation, retries inside it), and quiet logs.</summary>
    private static void Decorate(IHttpClientBuilder builder, string name)
    {
        builder.AddHttpMessageHandler(() => new ClientTelemetryHandler());
        builder.AddHttpMessageHandler(provider => Options(provider, name).ApiKey is { } key ? new ApiKeyHandler(key) : new PassThrough());
        builder.AddStandardResilienceHandler()
            .Configure((resilience, provider) => ApplyTo(resilience, Options(provider, name)));
        QuietLogging(builder);
    }

    /// <summary>The handler in the API key's place when none is configured.</summary>
    private sealed class PassThrough : DelegatingHandler;

    private static void QuietLogging(IHttpClientBuilder builder) =>
        builder.RemoveAllLoggers().AddLogger(provider => new ClientHttpLogger(provider.GetRequiredService<ILoggerFactory>().CreateLogger(ClientTelemetry.Name)));

    internal static void ApplyTo(HttpStandardResilienceOptions resilience, NodeNomadClientOptions options)
    {
        resilience.TotalRequestTimeout.Timeout = options.Timeout;
        resilience.AttemptTimeout.Timeout = options.Timeout < LongestAttempt ? options.Timeout : LongestAttempt;
        resilience.Retry.ShouldHandle = arguments =>
            ValueTask.FromResult(RetryRules.MayRetry(arguments.Context.GetRequestMessage(), arguments.Outcome));
        resilience.CircuitBreaker.ShouldHandle = arguments =>
            ValueTask.FromResult(
                arguments.Context.GetRequestMessage() is { } request
                && !RetryRules.IsHealthProbe(request)
                && HttpClientResiliencePredicates.IsTransient(arguments.Outcome));
    }
}
