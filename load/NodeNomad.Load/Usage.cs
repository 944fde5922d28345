namespace NodeNomad.Load;

/// <summary>The command line's help text and exit code for misuse.</summary>
internal static class Usage
{
    public const int BadUsage = 2;

    public const string Text = """
        NodeNomad.Load: load programs for NodeNomad, run on demand (never part of the tests).

        usage: dotnet run -c Release --project load/NodeNomad.Load -- bench-writes [options]
               dotnet run -c Release --project load/NodeNomad.Load -- bench-cluster [options]
               dotnet run -c Release --project load/NodeNomad.Load -- bench-storage [options]
               dotnet run -c Release --project load/NodeNomad.Load -- bench-sharded [options]
               dotnet run -c Release --project load/NodeNomad.Load -- bench-idle [options]
               dotnet run -c Release --project load/NodeNomad.Load -- bench-migrate [options]
               dotnet run -c Release --project load/NodeNomad.Load -- bench-join [options]
               dotnet run -c Release --project load/NodeNomad.Load -- bench-compare [options]
               dotnet run --project load/NodeNomad.Load -- check-history FILE
               dotnet run -c Release --project load/NodeNomad.Load -- run SCENARIO [options]
               dotnet run -c Release --project load/NodeNomad.Load -- compare SCENARIO [options]
               dotnet run -c Release --project load/NodeNomad.Load -- compare-report [options]
               dotnet run -c Release --project load/NodeNomad.Load -- simulate --seed N [options]

        check-history FILE  judges a recorded history with the linearizability checker: Jepsen-style
                            EDN key-value lines, Jepsen etcd register logs, or NodeNomad's own test
                            histories (see src/NodeNomad.Linearizability/README.md). Exit codes: 0
                            linearizable, 1 not linearizable, 2 unreadable file, 3 no verdict in 5 minutes

        simulate      runs seeds of the simulation of the node's real core (NodeCore, the class every
                      node runs) over simulated disks, network and clocks; prints a failing seed's
                      report (ending in the command that replays it) and the count that passed
          --seed N           the first seed (default 1)
          --seeds COUNT      how many seeds from N on (default 1; say 20000 for a long search)
          --steps MS         virtual milliseconds of faults and client operations per seed (default 4000)
          --flaw NAME        break one rule on purpose: FollowerAcksBeforeSave,
                             LeaderCountsItselfBeforeSave, ReadBeforeApply
                             or RemoveBeforePromote
          --reads lease      confirm reads with leader leases instead of ReadIndex (no process
                             pauses in such runs: a paused leader's lease outlives its leadership)
          --placement        run the placement driver: the operator drains and brings back nodes, a
                             node is killed past DOWN_AFTER (repair), the joiner receives its share
          --trace            print every event of each run (sends, saves, crashes, faults)

        run SCENARIO  starts a store (3 NodeNomad nodes, 4 for migration-under-load; or etcd's 3 members), runs
                      the scenario's phases (closed loop, constant rate, ramp: open-loop latency counts from
                      when each operation was due), shows ops/s, p50/p99 and errors by kind as it goes, reads
                      back the acknowledged writes, and writes report.json, report.md and PNG charts
                      scenarios: write-heavy, read-heavy, mixed, hot-keys, large-values, ttl-churn,
                                 migration-under-load, soak (full profile only), chaos (as root: nodes
                                 killed, paused and cut apart; the client history must be linearizable)
          --target NAME      nodenomad (default) or etcd
          --profile NAME     ci (about a minute, the default) or full
          --out DIR          the report folder (default: artifacts/load/SCENARIO-TARGET-TIME in the repository)
          --seed N           the seed of the operations and keys drawn (default: random, printed)
          --mix SPEC         the operation mix, e.g. read=40,stale=10,write=30,cas=10,delete=5,scan=5
        compare SCENARIO runs it on NodeNomad, then on etcd, and prints NodeNomad/etcd for ops/s, p50 and p99
                      per phase; the same options but --target
        run and compare exit codes: 0 sound (no acknowledged write lost, every member answers, a chaos
        history judged linearizable: no verdict within 120 s is not sound; error counts and throughput are
        reported, not judged), 1 not sound or could not run, 2 bad usage, 130 interrupted

        compare-report the full comparison, written to load/reports/<yyyy-MM-dd>-comparison.md with its charts
                      in the folder of the same name: NodeNomad on 3 and on 5 nodes (SHARD_COUNT=8) and etcd's
                      3 members, each with writes (100-byte values, a new key per write) then linearizable reads
                      (of 1,000 keys written first) at 1, 16 and 64 closed-loop clients and at a fixed rate (open
                      loop, latency from the due time): ops/s, p50, p99, p99.9, errors, NodeNomad/etcd; then one
                      chaos round per fault (SIGKILL and restart, SIGSTOP, full, one-way and bridge partitions,
                      Raft messages delayed and lost; the partitions and the transport fault need root), each
                      with its lost acknowledged writes and the checker's verdict
          --seconds N        measured seconds per row (default 25: about 15 minutes in all on 2 cores)
          --rate N           operations per second of the fixed-rate rows (default 500)
          --out DIR          where the report and its folder go (default: load/reports in the repository)
          --seed N           the seed of the operations drawn (default: random, printed)
          exit codes: 0 sound (nothing lost, every round done and linearizable), 1 not sound or could not
          run, 2 bad usage, 130 interrupted

        bench-migrate moves a replica of a shard filled to each size to another node under steady writes:
                      the move's time and steps, catch-up MiB/s, writes/s and p99 before and during
          --sizes LIST       shard sizes in MiB (default 64,512)
          --clients N        writers during the move (default 4)

        bench-join    the launcher's cluster (5 nodes × 8 shards, replication 3; the launcher run on free ports
                      with a temporary folder), filled, then `launcher add` under a light write load: seconds
                      until node-6 is recorded and until it holds its share with no migration in flight, the
                      moves, the MiB of the shards moved and that node-6 received, writes/s, p99 and
                      errors before and during
          --size MIB         data written before the join, in 64 KiB values (default 64)
          --clients N        writers during the join, each 10 ms between writes (default 2)

        bench-writes  durable write throughput and latency for each number of concurrent clients
          --url URL          load a node already running on 127.0.0.1 (default: start one on a free
                             port with a temporary data folder, and stop it and remove the folder after)
          --seconds N        measured seconds per client count, after a 1 s warm-up (default 10)
          --clients LIST     comma-separated client counts; each client is one loop on its own
                             connection writing distinct keys (default 1,64)
          --value-bytes N    bytes per value (default 100)
          --max-requests N   end a run after N writes even if its time is not up (default 1000000)
          --etcd             run the same load against a 3-member etcd started with
                             load/etcd-cluster.sh and print NodeNomad/etcd per client count
          -h, --help         this text

        bench-cluster  writes and linearizable reads against one node alone, then against a Raft cluster
                       on this machine (HEARTBEAT_INTERVAL=100, ELECTION_TIMEOUT=1000): writes to the
                       leader, writes spread over all nodes (followers forward them), linearizable
                       reads spread over all nodes; every node on free 127.0.0.1 ports with a temporary
                       data folder, all stopped and removed after
          --seconds N        measured seconds per client count and workload, after a 1 s warm-up (default 10)
          --clients LIST     comma-separated client counts (default 1,64)
          --value-bytes N    bytes per value (default 100)
          --max-requests N   end a run after N requests even if its time is not up (default 1000000)
          --nodes N          members of the cluster, 2..7 (default 3)
          -h, --help         this text

        bench-storage  the Raft log alone, file (temporary folder) and Marten (PostgreSQL, a schema of its
                       own): N concurrent writers through one group-commit loop (one SaveAsync per batch
                       of whatever is queued), and one caller saving batches of exactly 1, 10 and 100
                       entries; prints entries/s, saves/s, entries/save, p50/p99 and marten/file
          --seconds N        measured seconds per run, after a 1 s warm-up per backend (default 5)
          --writers LIST     comma-separated writer counts (default 1,64)
          --entry-bytes N    bytes per entry (default 100)
          --postgres CONN    an Npgsql connection string with Host=127.0.0.1 (default: start a throwaway
                             PostgreSQL from /usr/lib/postgresql/*/bin on a free port, removed after)
          --cluster          also start a 3-node cluster on STORAGE=file, then on STORAGE=marten, and
                             measure writes to the leader at 1 and 64 clients; prints marten/file
          --rounds N         measure the cluster pair N times (1..20, default 1), the backend that goes
                             first alternating; prints every round's marten/file and the median
          -h, --help         this text

        bench-sharded  a 5-node cluster (SHARD_COUNT=8, REPLICATION_FACTOR=3) beside a 3-node single group
                       (SHARD_COUNT=1, REPLICATION_FACTOR=3): writes and linearizable reads through the
                       shard-aware NodeNomadClusterClient, then through node-1's REST API; prints ops/s, p50
                       and p99 per row and the ratio to the single group's; nodes on free 127.0.0.1 ports
                       with temporary data folders, all stopped and removed after
          --seconds N        measured seconds per row, after a 1 s warm-up (default 8)
          --clients LIST     comma-separated client counts (default 64)
          --value-bytes N    bytes per value (default 100)
          --max-requests N   end a row after N operations even if its time is not up (default 1000000)
          -h, --help         this text

        bench-compare  etcd's 3 members, then NodeNomad on 3 nodes × 1 shard, 3 × 8 and 5 × 8, each through one
                       member (node-1's REST API, which forwards; etcd's JSON gateway): writes/s and write p99,
                       reads/s and read p99 at 64 connections, writes/s at 1 connection, and p99 of writes and
                       of linearizable reads at a fixed arrival rate of half the maximum measured; prints a row
                       per cluster and the ratios judged (5×8 vs 3×8, 5×8 vs etcd, write p99 vs etcd's)
          --seconds N        measured seconds per figure (default 8)
          --warm-up N        seconds of writes at 64 connections before the figures of each cluster, not
                             counted (default 1); on NodeNomad the writes then go on, 5 s at a time, until the
                             nodes' JIT time grew by under 5% of the time (at most 180 s): several nodes on
                             few cores compile their hot code again, optimized, for a minute or more
          --shapes LIST      the clusters to measure, any of etcd,3x1,3x8,5x8 (default all; the ratios
                             need the rows they divide)
          --metrics-out DIR  keep every node's /metrics text after each figure in DIR
          -h, --help         this text

        bench-idle     what idle shards cost: a 3-node cluster with each shard count in turn (every node hosts
                       every shard), idle; prints each node's CPU, Raft messages and frames per second, memory
          --shards LIST      comma-separated shard counts (default 8,1000)
          --seconds N        idle seconds sampled per shard count (default 10)
          -h, --help         this text

        bench-writes, bench-cluster, bench-storage, bench-sharded, bench-compare, bench-idle and bench-join exit codes: 0 done, 1 could not run or a run failed,
        2 bad usage, 130 interrupted

        """;
}
