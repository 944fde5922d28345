namespace NodeNomad.Launcher.Tests;

public sealed class LaunchOptionsAreValidated
{
    [Fact]
    public void no_arguments_give_five_nodes_eight_shards_three_replicas_on_files_with_the_console()
    {
        LaunchOptions.TryParse([], out var options, out _).ShouldBeTrue();

        options.ShouldBe(new LaunchOptions());
        (options.Nodes, options.Shards, options.Replication, options.Storage, options.Console).ShouldBe((5, 8, 3, "file", true));
        (options.ClientPort(1), options.PeerPort(5)).ShouldBe((3001, 4005));
        options.DataFolder.ShouldBe(Path.Combine("data", "launcher"));
    }

    [Fact]
    public void every_option_is_read()
    {
        LaunchOptions.TryParse(
            ["--nodes", "7", "--shards", "16", "--replication", "5", "--storage", "marten", "--marten-connection", "Host=db", "--data", "/tmp/x",
             "--base-port", "5000", "--peer-base-port", "6000", "--no-console", "--restart", "5s", "--down-after", "10s"],
            out var options,
            out var error).ShouldBeTrue(error);

        options.ShouldBe(new LaunchOptions
        {
            Nodes = 7, Shards = 16, Replication = 5, Storage = "marten", MartenConnection = "Host=db", DataFolder = "/tmp/x",
            BasePort = 5000, PeerBasePort = 6000, Console = false, RestartDelay = TimeSpan.FromSeconds(5), DownAfter = TimeSpan.FromSeconds(10),
        });
    }

    [Theory]
    [InlineData("--nodes 0", "--nodes must be a whole number from 1 to 9")]
    [InlineData("--nodes x", "not 'x'")]
    [InlineData("--shards 0", "--shards must be a whole number")]
    [InlineData("--replication 4 --nodes 3", "--replication 4 needs at least as many nodes")]
    [InlineData("--storage disk", "--storage must be 'file' or 'marten'")]
    [InlineData("--storage marten", "needs --marten-connection")]
    [InlineData("--marten-connection Host=db", "only used with --storage marten")]
    [InlineData("--base-port 80", "--base-port must be a whole number from 1024")]
    [InlineData("--base-port 4000", "overlap")]
    [InlineData("--nodes", "--nodes needs a value")]
    [InlineData("--verbose", "Unknown option '--verbose'")]
    [InlineData("--restart", "--restart needs a value")]
    [InlineData("--restart 5", "--restart must be a delay from 0s to 1h with its unit, such as 5s, 500ms or 2m; not '5'")]
    [InlineData("--restart soon", "not 'soon'")]
    [InlineData("--restart -1s", "not '-1s'")]
    [InlineData("--restart 1.5s", "not '1.5s'")]
    [InlineData("--restart 61m", "not '61m'")]
    [InlineData("--restart 99999999999h", "not '99999999999h'")]
    [InlineData("--down-after 500ms", "--down-after must be a delay from 1s to 1h with its unit, such as 30s, 1500ms or 5m; not '500ms'")]
    [InlineData("--down-after 30", "not '30'")]
    [InlineData("--down-after 2h", "not '2h'")]
    public void a_bad_command_line_is_refused_naming_the_option(string commandLine, string expected)
    {
        LaunchOptions.TryParse(commandLine.Split(' '), out _, out var error).ShouldBeFalse();

        error.ShouldContain(expected);
    }

    [Fact]
    public void without_restart_a_process_that_exits_stays_down()
    {
        LaunchOptions.TryParse([], out var options, out _).ShouldBeTrue();

        options.RestartDelay.ShouldBeNull();
    }

    [Theory]
    [InlineData("0s", 0)]
    [InlineData("500ms", 500)]
    [InlineData("5s", 5_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    public void a_restart_delay_is_read_with_its_unit(string delay, int milliseconds)
    {
        LaunchOptions.TryParse(["--restart", delay], out var options, out var error).ShouldBeTrue(error);

        options.RestartDelay.ShouldBe(TimeSpan.FromMilliseconds(milliseconds));
    }

    [Fact]
    public void the_nodes_are_down_after_thirty_seconds_unless_told_otherwise()
    {
        LaunchOptions.TryParse([], out var options, out _).ShouldBeTrue();
        options.DownAfter.ShouldBe(TimeSpan.FromSeconds(30));

        LaunchOptions.TryParse(["--down-after", "1500ms"], out var shorter, out var error).ShouldBeTrue(error);
        shorter.DownAfter.ShouldBe(TimeSpan.FromMilliseconds(1500));
    }

    [Theory]
    [InlineData(3000, 4000, 10, null)]
    [InlineData(3000, 4000, 99, null)]
    [InlineData(3000, 3100, 100, null)]
    [InlineData(3000, 3100, 101, "overlap")]
    [InlineData(65500, 4000, 40, "past 65535")]
    public void a_node_added_takes_the_next_ports_while_they_stay_apart_from_the_other_range(int basePort, int peerBasePort, int node, string? problem)
    {
        var options = new LaunchOptions { BasePort = basePort, PeerBasePort = peerBasePort };

        var found = options.PortsProblem(node);

        if (problem is null)
        {
            found.ShouldBeNull();
            (options.ClientPort(node), options.PeerPort(node)).ShouldBe((basePort + node, peerBasePort + node));
        }
        else
        {
            found.ShouldNotBeNull().ShouldContain(problem);
        }
    }

    [Fact]
    public void help_is_recognised()
    {
        LaunchOptions.TryParse(["--help"], out var options, out _).ShouldBeTrue();

        options.Help.ShouldBeTrue();
    }

    [Fact]
    public void the_cluster_secret_is_made_once_per_data_folder_and_kept()
    {
        var folder = Directory.CreateTempSubdirectory("nodenomad-launcher-").FullName;
        try
        {
            var first = ClusterSecret.LoadOrCreate(folder);
            var again = ClusterSecret.LoadOrCreate(folder);

            first.Length.ShouldBe(64);
            again.ShouldBe(first);
            ClusterSecret.LoadOrCreate(Path.Combine(folder, "other")).ShouldNotBe(first);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
