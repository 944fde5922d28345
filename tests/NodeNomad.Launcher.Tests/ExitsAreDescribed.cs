namespace NodeNomad.Launcher.Tests;

public sealed class ExitsAreDescribed
{
    [Theory]
    [InlineData(0, "exit code 0")]
    [InlineData(3, "exit code 3")]
    [InlineData(128 + 9, "killed by SIGKILL")]
    [InlineData(128 + 15, "killed by SIGTERM")]
    [InlineData(128 + 11, "killed by SIGSEGV")]
    [InlineData(128 + 40, "killed by signal 40")]
    [InlineData(255, "exit code 255")]
    public void an_exit_code_says_how_the_process_ended(int exitCode, string expected)
    {
        ExitReason.Describe(exitCode).ShouldBe(expected);
    }
}
