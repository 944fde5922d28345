using NodeNomad.Launcher.Control;

namespace NodeNomad.Launcher.Tests;

public sealed class ControlCommandsAreRead
{
    [Fact]
    public void a_request_names_its_process_and_the_launcher_s_data_folder()
    {
        ControlCommand.TryParse(["restart", "node-3", "--data", "/tmp/cluster"], out var command, out var error).ShouldBeTrue(error);

        command.ShouldBe(new ControlCommand(new ControlRequest("restart", "node-3"), "/tmp/cluster"));
    }

    [Fact]
    public void without_data_the_launcher_s_default_folder_is_asked()
    {
        ControlCommand.TryParse(["status"], out var command, out var error).ShouldBeTrue(error);

        command.ShouldBe(new ControlCommand(new ControlRequest("status", null), new LaunchOptions().DataFolder));
    }

    [Fact]
    public void add_names_no_process()
    {
        ControlCommand.TryParse(["add", "--data", "/tmp/cluster"], out var command, out var error).ShouldBeTrue(error);

        command.ShouldBe(new ControlCommand(new ControlRequest("add", null), "/tmp/cluster"));
    }

    [Theory]
    [InlineData("add", true)]
    [InlineData("restart", true)]
    [InlineData("stop", true)]
    [InlineData("status", true)]
    [InlineData("--nodes", false)]
    [InlineData("Restart", false)]
    public void only_the_request_verbs_are_requests(string first, bool isRequest)
    {
        ControlCommand.IsCommand([first]).ShouldBe(isRequest);
    }

    [Theory]
    [InlineData("restart", "restart needs one process: node-N or console")]
    [InlineData("stop node-1 node-2", "stop needs one process")]
    [InlineData("status node-1", "status takes no process, not 'node-1'")]
    [InlineData("add node-6", "add takes no process, not 'node-6'")]
    [InlineData("remove node-1", "the launcher takes restart, stop, add and status")]
    [InlineData("restart node-1 --data", "--data needs a value")]
    [InlineData("restart node-1 --nodes 3", "Unknown option '--nodes' for restart")]
    public void a_bad_request_is_refused_saying_why(string commandLine, string expected)
    {
        ControlCommand.TryParse(commandLine.Split(' '), out _, out var error).ShouldBeFalse();

        error.ShouldContain(expected);
    }
}
