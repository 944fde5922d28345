using Microsoft.AspNetCore.SignalR;
using NodeNomad.Contracts.Fleet;

namespace NodeNomad.Console.Fleet;

/// <summary>
/// Where nodes push their status and events (<see cref="FleetProtocol.Path"/>). Only callers holding the cluster
/// secret get in; see <see cref="Security.ClusterSecretAuthentication"/>.
/// </summary>
public sealed class FleetHub(FleetState state) : Hub
{
    /// <summary>A node's status; see <see cref="FleetProtocol.ReportStatus"/>.</summary>
    public void ReportStatus(NodeStatusReport report) => state.ReportStatus(report);

    /// <summary>An event a node saw; see <see cref="FleetProtocol.ReportEvent"/>.</summary>
    public void ReportEvent(FleetEvent fleetEvent) => state.ReportEvent(fleetEvent);
}
