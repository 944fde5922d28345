using NodeNomad.Load.Stores;

namespace NodeNomad.Load.Faults;

/// <summary>What a fault gets: the store it acts on, an HTTP client for its admin calls, and the run's timeline.</summary>
/// <param name="Deployment">The processes of the store, with their URLs.</param>
/// <param name="Http">A client for the fault's own requests (not the load's).</param>
/// <param name="Mark">Puts an event on the run's timeline, at the current time: it shows on the charts and in the report.</param>
internal sealed record FaultContext(IStoreDeployment Deployment, HttpClient Http, Action<string> Mark);
