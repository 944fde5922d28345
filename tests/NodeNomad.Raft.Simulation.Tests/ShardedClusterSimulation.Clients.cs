using System.Globalization;
using NodeNomad.Linearizability;

namespace NodeNomad.Raft.Simulation.Tests;

internal sealed partial class ShardedClusterSimulation
{
    /// <summary>A client stops retrying an operation after this long (a write with an attempt in flight becomes unknown).</summary>
    private const long OperationDeadline = 3_000;

    private ulong _commandIds;
    private ulong _readContexts;

    /// <summary>How many answers of each <see cref="ShardedAnswerKind"/> clients received.</summary>
    private readonly int[] _answers = new int[Enum.GetValues<ShardedAnswerKind>().Length];

    private void StartOperation(ShardedClient client)
    {
        var operations = client.Operations;
        NodeNomadKvInput input;
        if (client.Probes is { } probes)
        {
            if (!probes.TryDequeue(out var probe))
            {
                return;
            }

            input = probe;
        }
        else
        {
            if (_faultsStopped)
            {
                return;
            }

            var key = _keys[Random.Next(_keys.Count)];
            var roll = Random.Next(10);
            var value = NextValue(operations);
            input = roll < 4 ? NodeNomadKvInput.Get(key)
                : roll < 8 ? NodeNomadKvInput.Put(key, value)
                : NodeNomadKvInput.CompareAndSet(key, operations.Seen.TryGetValue(key, out var seen) && Random.Next(4) != 0 ? seen : null, value);
        }

        operations.Begin(input, Now);
        Trace.Add(Now, "invoke", (ulong)operations.Id, (ulong)input.Kind);
        SendAttempt(client);
    }

    private static string NextValue(SimulatedClient client) =>
        client.Id.ToString(CultureInfo.InvariantCulture) + "." + (++client.Writes).ToString(CultureInfo.InvariantCulture);

    /// <summary>Routes the operation by the cached map to the node thought to lead the key's shard, with the epoch routed by.</summary>
    private void SendAttempt(ShardedClient client)
    {
        var operations = client.Operations;
        var input = operations.Input!;
        var attempt = operations.NextAttempt();
        var placement = client.PlacementOf(input.Key);
        // Now and then a client asks any node (a load balancer, a stale address book): not every node hosts the shard.
        var target = Random.Next(8) == 0 ? (ulong)Random.Next(1, Nodes + 1)
            : client.Leaders.TryGetValue(placement.Shard, out var leader) ? leader
            : placement.Replicas[Random.Next(placement.Replicas.Count)].Node;
        if (input.Kind != NodeNomadKvOperationKind.Get)
        {
            var kind = input.Kind == NodeNomadKvOperationKind.Put ? KvCommandKind.Put : KvCommandKind.CompareAndSet;
            operations.Command = new KvCommand(++_commandIds, kind, input.Key, input.Value!, input.Expected);
        }

        Trace.Add(Now, "route", (ulong)operations.Id, target, (ulong)placement.Shard, placement.Epoch);
        _events.After(Random.Next(1, 4), () => Arrive(client, attempt, target, placement.Shard, placement.Epoch));
        var timeout = input.Kind == NodeNomadKvOperationKind.Get ? Settings.Raft.ReadTimeout : Settings.Raft.WriteTimeout;
        _events.After(timeout, () => TimedOut(client, attempt));
    }

    /// <summary>
    /// A routed request reaches a node: it redirects unless it hosts a replica of the shard, knows no newer epoch of
    /// it than the client routed by, and that replica leads; then a write is proposed and a read asks for a read index.
    /// </summary>
    private void Arrive(ShardedClient client, int attempt, ulong target, int shard, ulong epoch)
    {
        var operations = client.Operations;
        if (!operations.Awaits(attempt))
        {
            return;
        }

        var node = _nodes[target];
        if (!node.IsUp)
        {
            Respond(operations, attempt, ShardedAnswer.Refused);
            return;
        }

        if (Now < node.PausedUntil)
        {
            _events.At(node.PausedUntil, () => Arrive(client, attempt, target, shard, epoch));
            return;
        }

        if (node.Live(shard) is not { AppliedOwnRemoval: false } replica)
        {
            Respond(operations, attempt, ShardedAnswer.NotHosting);
            return;
        }

        if (node.MetaView is { } view && view[shard - 1].Epoch > epoch)
        {
            Respond(operations, attempt, ShardedAnswer.StaleEpoch);
            return;
        }

        var soft = replica.Raft.Status.SoftState;
        if (soft.Role != RaftRole.Leader)
        {
            Respond(operations, attempt, new ShardedAnswer(ShardedAnswerKind.NotLeader, NodeOf(soft.Leader)));
            return;
        }

        var input = operations.Input!;
        if (input.Kind == NodeNomadKvOperationKind.Get)
        {
            replica.RequestRead(++_readContexts, input.Key, operations, attempt);
        }
        else if (!replica.Propose(operations.Command!, operations, attempt).Accepted)
        {
            Respond(operations, attempt, new ShardedAnswer(ShardedAnswerKind.NotLeader, NodeOf(replica.Raft.Status.SoftState.Leader)));
        }

        AfterInput(node);
    }

    /// <summary>A node answers a client; the answer takes a moment to arrive.</summary>
    public void Respond(SimulatedClient client, int attempt, ShardedAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(client);
        var sharded = _clients[client.Id];
        _events.After(Random.Next(1, 4), () => Receive(sharded, attempt, answer));
    }

    private void Receive(ShardedClient client, int attempt, ShardedAnswer answer)
    {
        var operations = client.Operations;
        if (!operations.Awaits(attempt))
        {
            return;
        }

        operations.Answered();
        var input = operations.Input!;
        var shard = client.PlacementOf(input.Key).Shard;
        Trace.Add(Now, "answer", (ulong)operations.Id, (ulong)answer.Kind, answer.LeaderNode);
        _answers[(int)answer.Kind]++;
        switch (answer.Kind)
        {
            case ShardedAnswerKind.Written:
                operations.Complete(input.Kind == NodeNomadKvOperationKind.CompareAndSet && !answer.Succeeded ? NodeNomadKvOutput.CompareFailed : NodeNomadKvOutput.Ok, Now);
                NextOperation(client);
                break;
            case ShardedAnswerKind.Read:
                operations.Complete(NodeNomadKvOutput.Read(answer.Value), Now);
                NextOperation(client);
                break;
            case ShardedAnswerKind.Unknown:
                operations.GiveUp();
                NextOperation(client);
                break;
            case ShardedAnswerKind.NotLeader when answer.LeaderNode != 0:
                client.Leaders[shard] = answer.LeaderNode;
                Retry(client);
                break;
            case ShardedAnswerKind.StaleEpoch:
                client.Leaders.Remove(shard);
                RefreshMap(client);
                Retry(client);
                break;
            default:
                // Refused, not hosting, lost, or no leader known: nothing happened, so trying elsewhere is safe.
                client.Leaders.Remove(shard);
                if (answer.Kind == ShardedAnswerKind.NotHosting && Random.Next(2) == 0)
                {
                    RefreshMap(client);
                }

                Retry(client);
                break;
        }
    }

    private void TimedOut(ShardedClient client, int attempt)
    {
        var operations = client.Operations;
        if (!operations.Awaits(attempt))
        {
            return;
        }

        operations.Answered();
        Trace.Add(Now, "timeout", (ulong)operations.Id, (ulong)attempt);
        if (operations.Input!.Kind == NodeNomadKvOperationKind.Get)
        {
            // A read has no effect, so asking another node keeps it one operation.
            client.Leaders.Remove(client.PlacementOf(operations.Input.Key).Shard);
            Retry(client);
        }
        else
        {
            // The proposal may still be committed: the write's outcome is unknown for good.
            operations.GiveUp();
            NextOperation(client);
        }
    }

    /// <summary>Tries the operation again after a short backoff, unless it has taken too long.</summary>
    private void Retry(ShardedClient client)
    {
        var operations = client.Operations;
        if (Now - operations.Call > OperationDeadline)
        {
            if (operations.Input!.Kind == NodeNomadKvOperationKind.Get)
            {
                operations.GiveUp();
            }
            else
            {
                // Every attempt certainly failed, so the write never happened.
                operations.Abandon();
            }

            NextOperation(client);
            return;
        }

        _events.After(Random.Next(1, 30), () =>
        {
            if (operations.Busy && !operations.Waiting)
            {
                SendAttempt(client);
            }
        });
    }

    private void NextOperation(ShardedClient client) => _events.After(Random.Next(0, 40), () => StartOperation(client));

    /// <summary>Asks a random node for its shard map (as its meta replica has applied it); the answer is sometimes slow.</summary>
    private void RefreshMap(ShardedClient client)
    {
        if (client.Refreshing)
        {
            return;
        }

        client.Refreshing = true;
        var node = _nodes[(ulong)Random.Next(1, Nodes + 1)];
        _events.After(Random.Next(1, 4), () =>
        {
            var view = node.IsUp && Now >= node.PausedUntil ? node.MetaView : null;
            var late = Random.Next(4) == 0 ? Random.Next(20, 400) : Random.Next(1, 4);
            _events.After(late, () =>
            {
                client.Refreshing = false;
                if (view is not null)
                {
                    client.Learn(view);
                    Trace.Add(Now, "refresh", (ulong)client.Id, node.Id, view.Aggregate(0UL, (sum, placement) => sum + placement.Epoch));
                }
            });
        });
    }

    private void ScheduleRefresh(ShardedClient client) =>
        _events.After(Random.Next(Settings.MapRefreshInterval / 2, Settings.MapRefreshInterval * 3 / 2), () =>
        {
            if (!_faultsStopped)
            {
                RefreshMap(client);
                ScheduleRefresh(client);
            }
        });

    /// <summary>Once the cluster converged: one client per shard writes and then reads a key of it, through the same routing.</summary>
    private void StartProbes()
    {
        for (var shard = 1; shard <= Settings.Shards; shard++)
        {
            var key = _keys.First(key => ShardedMetaState.ShardOf(GenesisMap, Contracts.KeyPosition.Of(key)).Shard == shard);
            var operations = new SimulatedClient(_clients.Count, 0);
            var probe = new ShardedClient(operations, GenesisMap)
            {
                Probes = new Queue<NodeNomadKvInput>([NodeNomadKvInput.Put(key, NextValue(operations)), NodeNomadKvInput.Get(key)]),
            };
            _clients.Add(probe);
            RefreshMap(probe);
            _events.After(Random.Next(0, 20), () => StartOperation(probe));
        }

        _events.After(0, CheckServed);
    }

    private void CheckServed()
    {
        var probes = _clients.Where(client => client.Probes is not null).ToList();
        if (probes.Any(probe => probe.Operations.Busy || probe.Probes!.Count > 0))
        {
            _events.After(25, CheckServed);
            return;
        }

        if (probes.Any(probe => probe.Operations.Completed != 2))
        {
            throw new LivenessException($"Liveness: after the cluster converged, a shard did not serve both a write and a read: {ProbesWaiting()}.");
        }

        _servedAt = Now;
    }

    private string ProbesWaiting() => string.Join(", ", _clients.Where(client => client.Probes is not null).Select(probe =>
        $"probe of {(probe.Operations.History.Count > 0 ? probe.Operations.History[0].Input.Key : null) ?? probe.Operations.Input?.Key ?? "?"}: {probe.Operations.Completed} answered, {probe.Operations.Unknown} unknown{(probe.Operations.Busy ? ", busy" : "")}"));
}
