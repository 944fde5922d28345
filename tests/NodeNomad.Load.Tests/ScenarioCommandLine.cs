using NodeNomad.Load.Scenarios;

namespace NodeNomad.Load.Tests;

public sealed class ScenarioCommandLine
{
    [Theory]
    [InlineData("run", "run: name a scenario")]
    [InlineData("run --profile ci", "run: name a scenario")]
    [InlineData("run sideways", "run: unknown scenario 'sideways'")]
    [InlineData("run mixed --target redis", "run: --target is nodenomad or etcd, not 'redis'")]
    [InlineData("run mixed --profile huge", "--profile is ci or full, not 'huge'")]
    [InlineData("run mixed --seed minus", "--seed is a whole number")]
    [InlineData("run mixed --mix read=50,teleport=5", "--mix: 'teleport=5' is not NAME=WEIGHT")]
    [InlineData("run mixed --mix read=0", "--mix: the weights add up to 0")]
    [InlineData("run mixed --out", "run: --out needs a value")]
    [InlineData("run mixed --speed 3", "run: unknown option '--speed'")]
    [InlineData("run soak --profile ci", "soak runs for 30 minutes and only with --profile full")]
    [InlineData("compare mixed --target etcd", "compare: --target is not an option")]
    public async Task a_bad_command_line_says_what_is_wrong_and_exits_with_2(string line, string message)
    {
        var output = new StringWriter();
        var errors = new StringWriter();

        var code = await ScenarioCommand.RunAsync(line.Split(' '), output, errors);

        code.ShouldBe(2);
        errors.ToString().ShouldContain(message);
        output.ToString().ShouldBeEmpty();
    }

    [Fact]
    public void a_good_command_line_gives_the_scenario_with_its_options()
    {
        ScenarioOptions.TryParse(["run", "hot-keys", "--target", "etcd", "--profile", "full", "--out", "/tmp/x", "--seed", "9", "--mix", "read=3,cas=1"],
            out var options, out var error).ShouldBeTrue(error);

        options.Compare.ShouldBeFalse();
        options.Target.ShouldBe(StoreKind.Etcd);
        options.Profile.ShouldBe(LoadProfile.Full);
        options.Out.ShouldBe("/tmp/x");
        options.Seed.ShouldBe(9);
        options.Scenario.Name.ShouldBe("hot-keys");
        options.Scenario.Distribution.ShouldBe(KeyDistribution.Zipfian);
        options.Scenario.Mix.ToString().ShouldBe("read=3,cas=1");
    }

    [Fact]
    public void every_scenario_but_soak_has_a_ci_profile_of_about_a_minute_or_less()
    {
        foreach (var name in ScenarioCatalog.Names.Where(n => n != "soak"))
        {
            var scenario = ScenarioCatalog.Find(name, LoadProfile.Ci, out var error).ShouldNotBeNull(error);
            scenario.LoadDuration.ShouldBeLessThanOrEqualTo(TimeSpan.FromSeconds(50), name);
        }

        ScenarioCatalog.Find("soak", LoadProfile.Full, out _).ShouldNotBeNull().LoadDuration.ShouldBe(TimeSpan.FromMinutes(30));
    }
}
