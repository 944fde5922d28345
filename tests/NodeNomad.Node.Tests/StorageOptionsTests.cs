using NodeNomad.Node.Configuration;

namespace NodeNomad.Node.Tests;

public sealed class StorageOptionsTests
{
    private static (NodeOptions Options, IReadOnlyList<string> Failures) Load(Dictionary<string, string?> settings) =>
        OptionsLoader.Load(settings);

    [Fact]
    public void storage_is_the_file_log_by_default()
    {
        var (options, failures) = Load([]);

        failures.ShouldBeEmpty();
        options.Storage.ShouldBe(NodeOptions.FileStorage);
    }

    [Fact]
    public void marten_storage_takes_its_connection_and_schema()
    {
        var (options, failures) = Load(new()
        {
            ["STORAGE"] = "Marten",
            ["MARTEN_CONNECTION"] = "Host=db;Database=nodenomad;Username=nodenomad",
            ["MARTEN_SCHEMA"] = "cluster_a",
        });

        failures.ShouldBeEmpty();
        options.Storage.ShouldBe(NodeOptions.MartenStorage);
        options.MartenConnection.ShouldBe("Host=db;Database=nodenomad;Username=nodenomad");
        options.MartenSchema.ShouldBe("cluster_a");
    }

    [Fact]
    public void an_unknown_storage_is_refused()
    {
        var (_, failures) = Load(new() { ["STORAGE"] = "s3" });

        failures.ShouldContain(f => f.Contains("STORAGE='s3' must be 'file' or 'marten'"));
    }

    [Fact]
    public void marten_storage_without_a_connection_is_refused()
    {
        var (_, failures) = Load(new() { ["STORAGE"] = "marten" });

        failures.ShouldContain(f => f.Contains("MARTEN_CONNECTION must be set"));
    }

    [Theory]
    [InlineData("MARTEN_CONNECTION", "not a connection string", "MARTEN_CONNECTION is not a valid PostgreSQL connection string")]
    [InlineData("MARTEN_SCHEMA", "Drop Table;", "MARTEN_SCHEMA='Drop Table;' must be a PostgreSQL name")]
    public void invalid_marten_settings_are_refused(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?> { ["STORAGE"] = "marten", ["MARTEN_CONNECTION"] = "Host=db", [key] = value };

        var (_, failures) = Load(settings);

        failures.ShouldContain(f => f.Contains(expected));
    }

    [Theory]
    [InlineData("false", false)]
    [InlineData("true", true)]
    public void marten_auto_create_can_be_turned_off(string raw, bool expected)
    {
        var (options, failures) = Load(new() { ["MARTEN_AUTO_CREATE"] = raw });
        failures.ShouldBeEmpty();
        options.MartenAutoCreate.ShouldBe(expected);
        options.MartenLogOptions().AutoCreateSchema.ShouldBe(expected);
    }

    [Fact]
    public void a_marten_auto_create_that_is_not_a_boolean_is_refused()
    {
        var (_, failures) = Load(new() { ["MARTEN_AUTO_CREATE"] = "sometimes" });
        failures.ShouldContain(f => f.Contains("MARTEN_AUTO_CREATE='sometimes' is not true or false", StringComparison.Ordinal));
    }
}
