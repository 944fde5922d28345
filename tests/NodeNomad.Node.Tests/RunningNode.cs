using NodeNomad.Testing;

namespace NodeNomad.Node.Tests;

/// <summary>One real node process shared by a test class.</summary>
public sealed class RunningNode : IAsyncLifetime
{
    private NodeProcess? _process;

    public HttpClient Http { get; private set; } = null!;

    public NodeProcess Process => _process!;

    public async ValueTask InitializeAsync()
    {
        _process = await NodeProcess.StartAsync();
        Http = new HttpClient { BaseAddress = _process.BaseAddress };
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }
}
