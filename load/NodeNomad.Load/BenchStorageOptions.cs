using System.Diagnostics.CodeAnalysis;
using Npgsql;

namespace NodeNomad.Load;

/// <summary>The options of <c>bench-storage</c>.</summary>
/// <param name="Seconds">Measured seconds per writer count, per batch size and per cluster client count.</param>
/// <param name="Writers">Concurrent writers sharing one group-commit loop, run one after another.</param>
/// <param name="EntryBytes">Payload of every entry (and value size of the cluster's writes).</param>
/// <param name="Postgres">A PostgreSQL on 127.0.0.1 to use, or null to start a throwaway one.</param>
/// <param name="Cluster">Whether to also measure a 3-node cluster on each backend.</param>
/// <param name="Rounds">How many times the cluster pair is measured, alternating which backend goes first.</param>
internal sealed record BenchStorageOptions(int Seconds, IReadOnlyList<int> Writers, int EntryBytes, string? Postgres, bool Cluster, int Rounds = 1)
{
    private static readonly OptionTable<BenchStorageOptions> Options = new OptionTable<BenchStorageOptions>()
        .Flag("--cluster", o => o with { Cluster = true })
        .Valued("--rounds", "1..20", (o, text) => OptionValues.Whole(text, 1, 20, out var rounds) ? o with { Rounds = (int)rounds } : null)
        .Valued("--seconds", "1..3600", (o, text) => OptionValues.Whole(text, 1, 3600, out var seconds) ? o with { Seconds = (int)seconds } : null)
        .Valued("--writers", $"a list like 1,64, each 1..{LoadSettings.MaxClients}",
            (o, text) => OptionValues.ClientList(text, out var writers) ? o with { Writers = writers } : null)
        .Valued("--entry-bytes", $"1..{LoadSettings.MaxValueBytes}",
            (o, text) => OptionValues.Whole(text, 1, LoadSettings.MaxValueBytes, out var bytes) ? o with { EntryBytes = (int)bytes } : null)
        .Valued("--postgres", "an Npgsql connection string with Host=127.0.0.1",
            (o, text) => IsLoopback(text) ? o with { Postgres = text } : null);

    public static bool TryParse(IReadOnlyList<string> args, [NotNullWhen(true)] out BenchStorageOptions? options, [NotNullWhen(false)] out string? error) =>
        Options.TryParse(args, new BenchStorageOptions(Seconds: 5, Writers: [1, 64], EntryBytes: 100, Postgres: null, Cluster: false), out options, out error);

    // The benchmark only ever talks to this machine's 127.0.0.1.
    private static bool IsLoopback(string text)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(text).Host == "127.0.0.1";
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
