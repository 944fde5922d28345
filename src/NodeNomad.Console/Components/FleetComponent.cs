using Microsoft.AspNetCore.Components;
using NodeNomad.Console.Fleet;

namespace NodeNomad.Console.Components;

/// <summary>A component that shows the fleet and renders again whenever <see cref="FleetState"/> changes.</summary>
public abstract class FleetComponent : ComponentBase, IDisposable
{
    /// <summary>The console's fleet state.</summary>
    [Inject]
    protected FleetState Fleet { get; set; } = default!;

    /// <summary>The fleet as it is now.</summary>
    protected FleetSnapshot Snapshot => Fleet.Current;

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    protected override void OnInitialized() => Fleet.Changed += OnFleetChanged;

    /// <summary>Stops listening to the fleet.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Fleet.Changed -= OnFleetChanged;
        }
    }

    // Changes arrive on hub and timer threads; the render goes through the component's dispatcher.
    private void OnFleetChanged() => _ = InvokeAsync(StateHasChanged);
}
