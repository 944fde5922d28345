using System.Net.Sockets;
using System.Text.Json;

namespace NodeNomad.Launcher.Control;

/// <summary>
/// The running launcher's end of its control socket (<see cref="ControlSocket"/>), readable and writable by its user
/// only. One request per connection: a line of JSON in (<see cref="ControlRequest"/>), a line of JSON out
/// (<see cref="ControlReply"/>). Requests are handed to the launcher, which answers them one at a time.
/// </summary>
internal sealed class ControlServer : IAsyncDisposable
{
    private static readonly TimeSpan ReadLimit = TimeSpan.FromSeconds(5);

    private readonly Socket listener;
    private readonly Func<ControlRequest, Task<ControlReply>> answer;
    private readonly CancellationTokenSource closing = new();
    private readonly Task accepting;

    // Touched by the accepting loop only, and read once it has ended.
    private readonly List<Task> serving = [];

    private ControlServer(Socket listener, Func<ControlRequest, Task<ControlReply>> answer)
    {
        this.listener = listener;
        this.answer = answer;
        accepting = AcceptAsync();
    }

    /// <summary>
    /// Listens on <paramref name="path"/>, replacing a socket file left by a launcher that was killed; null with the reason
    /// when it cannot. The caller has made sure that no launcher answers there (<see cref="ControlClient.AnswersAsync"/>).
    /// </summary>
    public static ControlServer? Open(string path, Func<ControlRequest, Task<ControlReply>> answer, out string problem)
    {
        problem = string.Empty;
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Delete(path);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            listener.Listen();
            return new ControlServer(listener, answer);
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException)
        {
            listener.Dispose();
            problem = $"its control socket {path} cannot be opened: {e.Message}";
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await closing.CancelAsync();
        listener.Dispose(); // deletes the socket file too
        await accepting;
        await Task.WhenAll(serving);
        closing.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(closing.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                // Closing, or the socket failed: either way no more requests come in.
                return;
            }

            serving.RemoveAll(s => s.IsCompleted);
            serving.Add(ServeAsync(connection));
        }
    }

    private async Task ServeAsync(Socket connection)
    {
        using (connection)
        {
            try
            {
                await using var stream = new NetworkStream(connection);
                using var reader = new StreamReader(stream);
                await using var writer = new StreamWriter(stream) { AutoFlush = true };
                using var reading = CancellationTokenSource.CreateLinkedTokenSource(closing.Token);
                reading.CancelAfter(ReadLimit);
                var line = await reader.ReadLineAsync(reading.Token);
                var request = line is null ? null : JsonSerializer.Deserialize<ControlRequest>(line, ControlClient.Json);
                var reply = request is { Verb: not null }
                    ? await answer(request).WaitAsync(closing.Token)
                    : new ControlReply(false, "the request was not understood");
                await writer.WriteLineAsync(JsonSerializer.Serialize(reply, ControlClient.Json));
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or JsonException)
            {
                // The client went away, sent no request in time, or the launcher is closing: nobody is left to answer.
            }
        }
    }
}
