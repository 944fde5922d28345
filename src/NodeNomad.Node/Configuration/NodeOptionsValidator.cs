using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace NodeNomad.Node.Configuration;

/// <summary>Checks <see cref="NodeOptions"/> at start so a misconfigured node refuses to run and says why.</summary>
public sealed partial class NodeOptionsValidator : IValidateOptions<NodeOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>(options.Problems);
        if (!NodeIdPattern().IsMatch(options.NodeId))
        {
            failures.Add($"{NodeOptions.Keys.NodeId}='{options.NodeId}' must be 1 to 64 letters, digits, '-', '_' or '.'.");
        }

        if (options.Port is < 0 or > 65535)
        {
            failures.Add($"{NodeOptions.Keys.Port}={options.Port} must be between 0 and 65535.");
        }

        if (string.IsNullOrWhiteSpace(options.Host))
        {
            failures.Add($"{NodeOptions.Keys.Host} must not be empty.");
        }

        if (options.Url is not null && !Uri.TryCreate(options.Url, UriKind.Absolute, out _))
        {
            failures.Add($"{NodeOptions.Keys.Url}='{options.Url}' is not an absolute URL.");
        }

        if (options.DataDir is { } dir && string.IsNullOrWhiteSpace(dir))
        {
            failures.Add($"{NodeOptions.Keys.DataDir} must not be empty.");
        }

        if (options.SnapshotEntries < 2)
        {
            failures.Add($"{NodeOptions.Keys.SnapshotEntries}={options.SnapshotEntries} must be at least 2.");
        }

        if (options.MaxBatchEntries is < 1 or > 65_536)
        {
            failures.Add($"{NodeOptions.Keys.MaxBatchEntries}={options.MaxBatchEntries} must be between 1 and 65536.");
        }

        if (options.PurgeIntervalMs is < 10 or > 3_600_000)
        {
            failures.Add($"{NodeOptions.Keys.PurgeIntervalMs}={options.PurgeIntervalMs} must be between 10 and 3600000.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex NodeIdPattern();
}
