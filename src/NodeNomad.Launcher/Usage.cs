namespace NodeNomad.Launcher;

/// <summary>The command line's help text and exit codes.</summary>
internal static class Usage
{
    public const int Stopped = 0;
    public const int Failed = 1;
    public const int BadUsage = 2;
    public const int NoLauncher = 3;

    public const string Text = """
        NodeNomad.Launcher: a local NodeNomad cluster, one process per node, plus the console when it is built.

        usage: dotnet run --project src/NodeNomad.Launcher [-- options]

          --nodes N                 node processes node-1..node-N, 1..9 (default 5)
          --shards N                SHARD_COUNT, 1..1024 (default 8)
          --replication N           REPLICATION_FACTOR, 1..nodes (default 3)
          --storage file|marten     where the nodes keep their logs (default file, under --data)
          --marten-connection CONN  the PostgreSQL connection string; required with --storage marten
          --data DIR                holds node-k's data folder and the cluster secret (default ./data/launcher)
          --base-port P             node-k's client API on P+k, the console on P (default 3000)
          --peer-base-port P        node-k's peer API on P+k (default 4000)
          --no-console              do not start the console
          -h, --help                this text

        Ctrl+C (or SIGTERM) stops every process: SIGTERM, then SIGKILL after 10 s. Node output goes to
        DIR/logs/node-k.log. Exit codes: 0 stopped, 1 could not start or a process failed, 2 bad usage.

        """;
}
