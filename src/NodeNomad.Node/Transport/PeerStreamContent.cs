using System.Net;

namespace NodeNomad.Node.Transport;

/// <summary>
/// The body of a peer stream request: it hands HttpClient's request stream to the pump that writes frames
/// into it, and keeps the request open until the pump calls <see cref="Finish"/>.
/// </summary>
internal sealed class PeerStreamContent : HttpContent
{
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The request stream, once HttpClient has sent the headers and starts the body.</summary>
    public Task<Stream> WaitForStreamAsync(CancellationToken cancellationToken) => _stream.Task.WaitAsync(cancellationToken);

    /// <summary>Ends the request body.</summary>
    public void Finish() => _finished.TrySetResult();

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        // HttpClient holds HTTP/2 request headers back until the body's first flush; flush now so the peer sees the
        // request (and answers it) before there is anything to send.
        await stream.FlushAsync(cancellationToken);
        _stream.TrySetResult(stream);
        await _finished.Task.WaitAsync(cancellationToken);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
