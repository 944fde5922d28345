using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
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
    /// standard resilience handler, and <see cref="NodeNomadClient"/> on top of it.
    /// </summary>
    /// <remarks>
    /// The standard handler as shipped retries every transient failure whatever the method, a timed-out POST
    /// included. Here reads (GET) keep that behaviour (5xx, 408, 429, connection failures and attempt
    /// timeouts are retried, honouring <c>Retry-After</c>), while writes (POST set and cas, DELETE) are retried
    /// only when the connection to the node could not be made: after the request was sent, a timeout or an
    /// error does not tell whether the node applied it, and a second attempt could apply it twice. Such a
    /// write fails with the error instead, and the caller, who knows whether the write is safe to repeat,
    /// decides. <c>GET /health</c> is never retried. See <c>RetryRules</c>.
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

        services.AddOptions<NodeNomadClientOptions>()
            .Configure(configure)
            .Validate(
                options => options.BaseAddress is { IsAbsoluteUri: true },
                "NodeNomadClientOptions.BaseAddress must be an absolute URL such as http://localhost:3001.")
            .Validate(
                options => options.Timeout >= ShortestTimeout && options.Timeout <= LongestTimeout,
                "NodeNomadClientOptions.Timeout must be between 1 second and 1 day.");

        var builder = services
            .AddRefitGeneratedClient<INodeNomadApi>(NodeNomadJsonContext.Default)
            .ConfigureHttpClient((provider, http) =>
            {
                var options = provider.GetRequiredService<IOptions<NodeNomadClientOptions>>().Value;
                http.BaseAddress = options.BaseAddress;

                // The resilience pipeline's total timeout bounds each call; HttpClient's own would cut it short.
                http.Timeout = Timeout.InfiniteTimeSpan;
            });

        builder.AddStandardResilienceHandler()
            .Configure((resilience, provider) =>
                ApplyTo(resilience, provider.GetRequiredService<IOptions<NodeNomadClientOptions>>().Value));

        services.TryAddTransient<NodeNomadClient>();
        return builder;
    }

    /// <summary>
    /// Registers <see cref="NodeNomadClusterClient"/> as a singleton (it caches the shard map) over a named client of
    /// <see cref="IHttpClientFactory"/>. No resilience handler is added: the cluster client retries on its own terms
    /// (redirects, 503s on reads, unreachable nodes; never a write whose outcome is unknown).
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

        services.AddOptions<NodeNomadClusterClientOptions>().Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NodeNomadClusterClientOptions>, ClusterClientOptionsValidation>());
        var builder = services.AddHttpClient(ClusterClientName, http => http.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddSingleton(provider =>
        {
            var factory = provider.GetRequiredService<IHttpClientFactory>();
            return new NodeNomadClusterClient(
                () => factory.CreateClient(ClusterClientName),
                provider.GetRequiredService<IOptions<NodeNomadClusterClientOptions>>().Value,
                provider.GetService<TimeProvider>() ?? TimeProvider.System);
        });
        return builder;
    }

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
