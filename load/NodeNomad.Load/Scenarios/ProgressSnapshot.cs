using NodeNomad.Load.Reports;

namespace NodeNomad.Load.Scenarios;

/// <summary>The run as the progress line shows it.</summary>
/// <param name="Elapsed">Since the load started.</param>
/// <param name="Phase">The phase now running.</param>
/// <param name="LastSecondAnswered">Operations answered in the last whole second (its ops/s).</param>
/// <param name="P50">Of the last whole second, ms.</param>
/// <param name="P99">Of the last whole second, ms.</param>
/// <param name="Errors">Errors so far, by kind.</param>
/// <param name="Redirects">421 answers followed so far.</param>
internal sealed record ProgressSnapshot(TimeSpan Elapsed, string? Phase, long LastSecondAnswered, double P50, double P99, ErrorCounts Errors, long Redirects);
