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
               dotnet run --project src/NodeNomad.Launcher -- restart|stop PROCESS [--data DIR]
               dotnet run --project src/NodeNomad.Launcher -- add [--data DIR]
               dotnet run --project src/NodeNomad.Launcher -- status [--data DIR]

          --nodes N                 node processes node-1..node-N, 1..9 (default 5)
          --shards N                SHARD_COUNT, 1..1024 (default 8)
          --replication N           REPLICATION_FACTOR, 1..nodes (default 3)
          --storage file|marten     where the nodes keep their logs (default file, under --data)
          --marten-connection CONN  the PostgreSQL connection string; required with --storage marten
          --data DIR                holds node-k's data folder and the cluster secret (default ./data/launcher)
          --base-port P             node-k's client API on P+k, the console on P (default 3000)
          --peer-base-port P        node-k's peer API on P+k (default 4000)
          --restart DELAY           start a process that exits on its own again after DELAY (500ms, 5s, 2m; at
                                    most 1h); without it a process stays down until restarted. One that exits 5
                                    times in a row, each within a minute of its start, is no longer restarted
          --down-after DELAY        DOWN_AFTER of every node: a node silent this long has its replicas
                                    re-created on the others (1s to 1h, default 30s)
          --no-console              do not start the console
          -h, --help                this text

        A node (or the console) that exits is reported with how it ended ("node-3 exited: killed by SIGKILL");
        the others keep serving. To bring it back, with its data folder and ports, from another terminal in the
        same folder (and with the same --data):
          restart node-3            start node-3 again once it has exited (PROCESS: node-N or console)
          stop node-3               stop node-3 (SIGTERM, SIGKILL after 10 s); it stays down until restarted
          add                       start the next node (node-6 after node-1..node-5), which joins the cluster
                                    through node-1..node-N; its client port is P+6, its peer port P'+6, its data
                                    DIR/node-6. Answered once the cluster records it; restart and stop take it
                                    like any node. A later run of the launcher starts only node-1..node-N
          status                    each process: pid, running, or how and when it exited
        or, in the launcher's terminal, press 1-9 to restart that node, c the console, a to add a node, s for the
        status, ? for the keys (node-10 and later have no key). These requests go through the Unix socket
        DIR/launcher.sock.

        Ctrl+C (or SIGTERM) stops every process: SIGTERM, then SIGKILL after 10 s. Node output goes to
        DIR/logs/node-k.log. Exit codes: 0 stopped (or a request done), 1 could not start or a request refused,
        2 bad usage, 3 no launcher is running with DIR.

        """;
}
