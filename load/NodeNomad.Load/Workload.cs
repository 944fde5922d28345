namespace NodeNomad.Load;

/// <summary>One kind of load, measured at each client count by <see cref="ClientSweep"/>.</summary>
/// <param name="Name">Shown in progress lines and part of the keys its writes use.</param>
/// <param name="Requests">The requests of one run, given a key prefix that no other run uses.</param>
/// <param name="Counted">The store whose write and fsync counters frame each measured run, or null to count nothing.</param>
/// <param name="Leadership">Who leads, as the nodes say; a change across a measured run is reported with the run. Null for a single node.</param>
internal sealed record Workload(
    string Name,
    Func<string, RequestFactory> Requests,
    IWriteTarget? Counted,
    Func<HttpClient, CancellationToken, Task<string>>? Leadership = null);
