using System.Net.Sockets;
using System.Runtime.Versioning;
using NodeNomad.Launcher.Control;

namespace NodeNomad.Launcher.Tests;

public sealed class TheControlSocket : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("nodenomad-launcher-").FullName;
    private readonly StringWriter output = new();
    private readonly StringWriter errors = new();

    [Fact]
    public async Task carries_a_request_to_the_launcher_and_its_answer_back()
    {
        ControlRequest? asked = null;
        await using var server = Open(request =>
        {
            asked = request;
            return new ControlReply(true, "node-2 restarted: pid 42");
        });

        var exitCode = await ControlClient.RunAsync(new ControlCommand(new ControlRequest("restart", "node-2"), folder), output, errors);

        exitCode.ShouldBe(0);
        asked.ShouldBe(new ControlRequest("restart", "node-2"));
        output.ToString().ShouldBe($"node-2 restarted: pid 42{Environment.NewLine}");
    }

    [Fact]
    public async Task a_refusal_is_printed_to_standard_error_with_exit_code_1()
    {
        await using var server = Open(_ => new ControlReply(false, "Unknown process 'node-7'"));

        var exitCode = await ControlClient.RunAsync(new ControlCommand(new ControlRequest("stop", "node-7"), folder), output, errors);

        exitCode.ShouldBe(1);
        errors.ToString().ShouldContain("Unknown process 'node-7'");
        output.ToString().ShouldBeEmpty();
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task is_readable_by_its_user_only_and_removed_when_the_launcher_closes_it()
    {
        var server = Open(_ => new ControlReply(true, "ok"));
        var path = ControlSocket.PathFor(folder);
        File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);

        await server.DisposeAsync();

        File.Exists(path).ShouldBeFalse();
        (await ControlClient.RunAsync(new ControlCommand(new ControlRequest("status", null), folder), output, errors)).ShouldBe(3);
        errors.ToString().ShouldContain($"No launcher is running with the data folder {folder}");
    }

    [Fact]
    public async Task one_left_by_a_killed_launcher_answers_nothing_and_is_taken_over()
    {
        var path = ControlSocket.PathFor(folder);
        var bound = Path.Combine(folder, "bound.sock");
        using (var abandoned = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            // Moved away from where it was bound, the socket file outlives its socket, as when a launcher is killed.
            abandoned.Bind(new UnixDomainSocketEndPoint(bound));
            abandoned.Listen();
            File.Move(bound, path);
        }

        File.Exists(path).ShouldBeTrue();
        (await ControlClient.AnswersAsync(path)).ShouldBeFalse();

        await using var server = Open(_ => new ControlReply(true, "taken over"));

        (await ControlClient.AnswersAsync(path)).ShouldBeTrue();
    }

    [Fact]
    public void a_data_folder_too_deep_for_a_socket_address_has_its_socket_in_the_temporary_folder()
    {
        var deep = Path.Combine(folder, new string('d', 60), new string('e', 60));

        var path = ControlSocket.PathFor(deep);

        path.ShouldStartWith(Path.GetTempPath());
        path.Length.ShouldBeLessThan(104);
        ControlSocket.PathFor(deep).ShouldBe(path);
        ControlSocket.PathFor(deep + "2").ShouldNotBe(path);
        ControlSocket.PathFor(folder).ShouldBe(Path.Combine(folder, "launcher.sock"));
    }

    public void Dispose()
    {
        output.Dispose();
        errors.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    private ControlServer Open(Func<ControlRequest, ControlReply> answer) =>
        ControlServer.Open(ControlSocket.PathFor(folder), request => Task.FromResult(answer(request)), out var problem).ShouldNotBeNull(problem);
}
