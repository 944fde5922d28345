using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace NodeNomad.Client.Tests;

/// <summary>Registration as .NET applications expect: options from configuration, validated at start, named clients, quiet logs, telemetry.</summary>
public sealed class RegistrationFromConfiguration
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    [Fact]
    public async Task the_options_are_bound_from_a_configuration_section()
    {
        var node = new FakeNode().AnswersJson(Answers.Value("k"));
        var configuration = Configuration(("NodeNomad:BaseAddress", "http://node-9.test:3009"), ("NodeNomad:Timeout", "00:00:05"));
        var services = new ServiceCollection();
        services.AddNodeNomadClient(configuration.GetSection("NodeNomad")).ConfigurePrimaryHttpMessageHandler(() => node);
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<INodeNomadClient>().GetAsync("k", Ct);

        node.LastRequest.Uri.ShouldBe(new Uri("http://node-9.test:3009/api/v1/get/k"));
        provider.GetRequiredService<IOptions<NodeNomadClientOptions>>().Value.Timeout.ShouldBe(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void invalid_options_fail_when_the_host_starts_not_at_the_first_call()
    {
        var services = new ServiceCollection();
        services.AddNodeNomadClient(Configuration(("NodeNomad:Timeout", "00:00:05")).GetSection("NodeNomad"));
        using var provider = services.BuildServiceProvider();

        // What the generic host runs as it starts.
        var error = Should.Throw<AggregateException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        error.Flatten().InnerExceptions.ShouldAllBe(e => e is OptionsValidationException && e.Message.Contains("BaseAddress"));
    }

    [Fact]
    public async Task two_named_clients_reach_their_own_clusters()
    {
        var east = new FakeNode().AnswersJson(Answers.Value("k"));
        var west = new FakeNode().AnswersJson(Answers.Value("k"));
        var configuration = Configuration(("East:BaseAddress", "http://east.test:3001"), ("West:BaseAddress", "http://west.test:3001"));
        var services = new ServiceCollection();
        services.AddNodeNomadClient("east", configuration.GetSection("East")).ConfigurePrimaryHttpMessageHandler(() => east);
        services.AddNodeNomadClient("west", configuration.GetSection("West")).ConfigurePrimaryHttpMessageHandler(() => west);
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredKeyedService<INodeNomadClient>("east").GetAsync("k", Ct);
        await provider.GetRequiredKeyedService<INodeNomadClient>("west").GetAsync("k", Ct);

        east.LastRequest.Uri.Host.ShouldBe("east.test");
        west.LastRequest.Uri.Host.ShouldBe("west.test");
        east.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task the_cluster_client_binds_its_seeds_and_is_the_same_interface()
    {
        var cluster = new FakeCluster(3, 2);
        var configuration = Configuration(("Cluster:Seeds:0", FakeCluster.UrlOf("node-1").ToString()), ("Cluster:MaxAttempts", "3"));
        var services = new ServiceCollection();
        services.AddNodeNomadClusterClient(configuration.GetSection("Cluster")).ConfigurePrimaryHttpMessageHandler(() => cluster);
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var client = provider.GetRequiredService<INodeNomadClient>();

        client.ShouldBeOfType<NodeNomadClusterClient>();
        (await client.GetAsync("k", Ct)).ShouldNotBeNull();
    }

    [Fact]
    public async Task requests_are_logged_under_nodenomad_client_at_debug_and_nothing_louder()
    {
        var node = new FakeNode().AnswersJson(Answers.Value("k"));
        var log = new RecordingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(log).SetMinimumLevel(LogLevel.Trace));
        services.AddNodeNomadClient(options => options.BaseAddress = FakeNode.Address).ConfigurePrimaryHttpMessageHandler(() => node);
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<INodeNomadClient>().GetAsync("k", Ct);

        log.Entries.ShouldContain(e => e.Category == "NodeNomad.Client" && e.Level == LogLevel.Debug && e.Message.Contains("answered 200", StringComparison.Ordinal));
        log.Entries.Where(e => e.Level >= LogLevel.Information && e.Category.StartsWith("System.Net.Http", StringComparison.Ordinal)).ShouldBeEmpty();
    }

    [Fact]
    public async Task each_operation_is_a_span_and_a_duration_named_nodenomad_client()
    {
        var node = new FakeNode().AnswersJson(Answers.Written);
        var services = new ServiceCollection();
        services.AddNodeNomadClient(options => options.BaseAddress = FakeNode.Address).ConfigurePrimaryHttpMessageHandler(() => node);
        await using var provider = services.BuildServiceProvider();
        using var signals = new ClientSignals();

        await provider.GetRequiredService<INodeNomadClient>().SetAsync("k", "v", cancellationToken: Ct);

        var span = signals.Spans.ShouldHaveSingleItem();
        span.OperationName.ShouldBe("set");
        span.Kind.ShouldBe(ActivityKind.Client);
        span.GetTagItem("db.system.name").ShouldBe("nodenomad");
        span.GetTagItem("db.operation.name").ShouldBe("set");
        span.GetTagItem("server.address").ShouldBe("node-1.test");
        span.GetTagItem("db.response.status_code").ShouldBe("200");
        var duration = signals.Durations.ShouldHaveSingleItem();
        duration.Tags["db.operation.name"].ShouldBe("set");
        duration.Seconds.ShouldBeGreaterThanOrEqualTo(0);
    }

    private sealed class RecordingLoggerProvider : ILoggerProvider
    {
        public System.Collections.Concurrent.ConcurrentQueue<(string Category, LogLevel Level, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, Entries);

        public void Dispose()
        {
        }

        private sealed class Recorder(string category, System.Collections.Concurrent.ConcurrentQueue<(string, LogLevel, string)> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Enqueue((category, logLevel, formatter(state, exception)));
        }
    }
}
