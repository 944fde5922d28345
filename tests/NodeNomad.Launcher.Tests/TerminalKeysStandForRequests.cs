using NodeNomad.Launcher.Control;

namespace NodeNomad.Launcher.Tests;

public sealed class TerminalKeysStandForRequests
{
    [Theory]
    [InlineData('1', "node-1")]
    [InlineData('3', "node-3")]
    [InlineData('9', "node-9")]
    [InlineData('c', "console")]
    public void a_number_restarts_that_node_and_c_the_console(char key, string process)
    {
        TerminalKeys.RequestFor(key).ShouldBe(new ControlRequest(ControlRequest.Restart, process));
    }

    [Fact]
    public void s_lists_the_processes()
    {
        TerminalKeys.RequestFor('s').ShouldBe(new ControlRequest(ControlRequest.Status, null));
    }

    [Fact]
    public void a_adds_a_node()
    {
        TerminalKeys.RequestFor('a').ShouldBe(new ControlRequest(ControlRequest.Add, null));
    }

    [Theory]
    [InlineData('0')]
    [InlineData('x')]
    [InlineData('?')]
    [InlineData('\n')]
    public void other_keys_ask_nothing(char key)
    {
        TerminalKeys.RequestFor(key).ShouldBeNull();
    }

    [Fact]
    public void the_help_names_every_key_with_the_cluster_s_own_numbers()
    {
        var help = TerminalKeys.Help(5);

        help.ShouldContain("1-5 restart that node");
        help.ShouldContain("c the console");
        help.ShouldContain("s lists the processes");
        help.ShouldContain("a adds a node");
        TerminalKeys.Help(12).ShouldContain("1-9 restart that node");
        help.ShouldContain("? this help");
        TerminalKeys.Help(1).ShouldContain("1 restarts node-1");
    }
}
