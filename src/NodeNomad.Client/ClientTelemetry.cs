using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace NodeNomad.Client;

/// <summary>
/// The client's tracing and metrics, both named <see cref="Name"/>: a span per operation and the
/// <c>db.client.operation.duration</c> histogram, with the attributes OpenTelemetry's database client conventions name
/// (<c>db.system.name</c>, <c>db.operation.name</c>, <c>server.address</c>, <c>server.port</c>,
/// <c>db.response.status_code</c>, <c>error.type</c>). Listen with
/// <c>AddSource("NodeNomad.Client")</c> and <c>AddMeter("NodeNomad.Client")</c>.
/// </summary>
public static class ClientTelemetry
{
    /// <summary>The name of the client's <see cref="ActivitySource"/>, <see cref="Meter"/> and log category.</summary>
    public const string Name = "NodeNomad.Client";

    /// <summary>The <c>db.system.name</c> of NodeNomad.</summary>
    public const string SystemName = "nodenomad";

    private static readonly string? Version = typeof(ClientTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0];

    internal static ActivitySource Source { get; } = new(Name, Version);

    internal static Meter Meter { get; } = new(Name, Version);

    internal static Histogram<double> OperationDuration { get; } = Meter.CreateHistogram<double>(
        "db.client.operation.duration", "s", "Duration of NodeNomad client operations.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10] });
}
