using System.Net.Sockets;
using System.Text.Json;

namespace NodeNomad.Launcher.Control;

/// <summary>The other end of <see cref="ControlServer"/>: <c>launcher restart|stop|add|status</c> run from another terminal.</summary>
internal static class ControlClient
{
    /// <summary>Long enough for a stop: the node's grace period, then its kill.</summary>
    private static readonly TimeSpan ReplyLimit = TimeSpan.FromSeconds(30);

    /// <summary>Longer than the launcher waits for an added node to join (<see cref="LocalFleet.JoinLimit"/>), so its own answer comes first.</summary>
    private static readonly TimeSpan AddReplyLimit = LocalFleet.JoinLimit + TimeSpan.FromSeconds(30);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Sends the command to the launcher running with its data folder, prints the answer and returns the exit code.</summary>
    public static async Task<int> RunAsync(ControlCommand command, TextWriter output, TextWriter errors)
    {
        var path = ControlSocket.PathFor(command.DataFolder);
        var limit = command.Request.Verb == ControlRequest.Add ? AddReplyLimit : ReplyLimit;
        var (reply, problem) = await SendAsync(path, command.Request, limit);
        if (reply is null)
        {
            await errors.WriteLineAsync(
                $"No launcher is running with the data folder {Path.GetFullPath(command.DataFolder)} ({problem}). " +
                "Start one with: dotnet run --project src/NodeNomad.Launcher, and give the same --data here as there.");
            return Usage.NoLauncher;
        }

        await (reply.Ok ? output : errors).WriteLineAsync(reply.Message);
        return reply.Ok ? Usage.Stopped : Usage.Failed;
    }

    /// <summary>True when a launcher answers on <paramref name="path"/>.</summary>
    public static async Task<bool> AnswersAsync(string path)
    {
        using var socket = await ConnectAsync(path);
        return socket.Connected;
    }

    /// <summary>The launcher's reply; null with the reason when no launcher answers on <paramref name="path"/>.</summary>
    private static async Task<(ControlReply? Reply, string Problem)> SendAsync(string path, ControlRequest request, TimeSpan limit)
    {
        using var socket = await ConnectAsync(path);
        if (!socket.Connected)
        {
            return (null, File.Exists(path) ? $"nothing answers on {path}" : $"there is no {path}");
        }

        using var waiting = new CancellationTokenSource(limit);
        try
        {
            await using var stream = new NetworkStream(socket);
            using var reader = new StreamReader(stream);
            await using var writer = new StreamWriter(stream) { AutoFlush = true };
            await writer.WriteLineAsync(JsonSerializer.Serialize(request, Json).AsMemory(), waiting.Token);
            var line = await reader.ReadLineAsync(waiting.Token);
            return line is null
                ? (new ControlReply(false, "The launcher closed the connection without answering; it is probably stopping."), string.Empty)
                : (JsonSerializer.Deserialize<ControlReply>(line, Json) ?? new ControlReply(false, "The launcher's answer was empty."), string.Empty);
        }
        catch (OperationCanceledException)
        {
            return (new ControlReply(false, $"The launcher did not answer within {limit.TotalSeconds:0} s."), string.Empty);
        }
        catch (Exception e) when (e is IOException or SocketException or JsonException)
        {
            return (new ControlReply(false, $"The launcher's answer could not be read: {e.Message}"), string.Empty);
        }
    }

    /// <summary>A socket connected to <paramref name="path"/>, or an unconnected one when nothing listens there.</summary>
    private static async Task<Socket> ConnectAsync(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        if (File.Exists(path))
        {
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
            }
            catch (SocketException)
            {
                // A socket file left by a launcher that was killed, or one that is closing.
            }
        }

        return socket;
    }
}
