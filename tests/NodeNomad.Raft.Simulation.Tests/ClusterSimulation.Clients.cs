using System.Globalization;
using NodeNomad.Linearizability;

namespace NodeNomad.Raft.Simulation.Tests;

internal sealed partial class ClusterSimulation
{
    /// <summary>A client stops retrying an operation after this long (a write with an attempt in flight becomes unknown).</summary>
    private const long OperationDeadline = 3_000;

    private ulong _commandIds;
    private ulong _readContexts;

    private void StartOperation(SimulatedClient client)
    {
        if (_faultsStopped)
        {
            return;
        }

        var key = "k" + Random.Next(Settings.Keys).ToString(CultureInfo.InvariantCulture);
        var roll = Random.Next(10);
        var value = client.Id.ToString(CultureInfo.InvariantCulture) + "." + (++client.Writes).ToString(CultureInfo.InvariantCulture);
        var input = roll < 4 ? NodeNomadKvInput.Get(key)
            : roll < 8 ? NodeNomadKvInput.Put(key, value)
            : NodeNomadKvInput.CompareAndSet(key, client.Seen.TryGetValue(key, out var seen) && Random.Next(4) != 0 ? seen : null, value);
        client.Begin(input, Now);
        Trace.Add(Now, "invoke", (ulong)client.Id, (ulong)input.Kind);
        SendAttempt(client);
    }

    /// <summary>Sends the client's current operation to the replica it thinks leads; each write attempt is a new command.</summary>
    private void SendAttempt(SimulatedClient client)
    {
        var input = client.Input!;
        var attempt = client.NextAttempt();
        // Now and then a client asks any replica (a load balancer, a stale address book): followers redirect
        // writes and forward reads, and clients stuck on a deposed leader are not the only ones to meet it.
        var target = Random.Next(5) == 0 ? Pick(Members()) : client.LeaderGuess;
        if (input.Kind != NodeNomadKvOperationKind.Get)
        {
            var kind = input.Kind == NodeNomadKvOperationKind.Put ? KvCommandKind.Put : KvCommandKind.CompareAndSet;
            client.Command = new KvCommand(++_commandIds, kind, input.Key, input.Value!, input.Expected);
        }

        _events.After(Random.Next(1, 4), () => Arrive(client, attempt, target));
        var timeout = input.Kind == NodeNomadKvOperationKind.Get ? Settings.ReadTimeout : Settings.WriteTimeout;
        _events.After(timeout, () => TimedOut(client, attempt));
    }

    private void Arrive(SimulatedClient client, int attempt, ulong target)
    {
        if (!client.Awaits(attempt))
        {
            return;
        }

        if (!_replicas.TryGetValue(target, out var replica) || !replica.IsUp)
        {
            Respond(client, attempt, ClientResponse.Refused);
            return;
        }

        if (Now < replica.PausedUntil)
        {
            _events.At(replica.PausedUntil, () => Arrive(client, attempt, target));
            return;
        }

        var input = client.Input!;
        if (input.Kind == NodeNomadKvOperationKind.Get)
        {
            if (Settings.Flaw == HostFlaw.ServesReadsWithoutReadIndex)
            {
                Respond(client, attempt, new ClientResponse(ClientResponseKind.Read, Value: replica.Store.Get(input.Key)));
                return;
            }

            replica.RequestRead(++_readContexts, input.Key, client, attempt);
        }
        else
        {
            var result = replica.Propose(client.Command!, client, attempt);
            if (!result.Accepted)
            {
                Respond(client, attempt, new ClientResponse(ClientResponseKind.NotLeader, LeaderHint: replica.Raft.Status.SoftState.Leader));
            }
        }

        AfterInput(replica);
    }

    /// <summary>A replica answers a client; the answer takes a moment to arrive.</summary>
    public void Respond(SimulatedClient client, int attempt, ClientResponse response)
    {
        ArgumentNullException.ThrowIfNull(client);
        _events.After(Random.Next(1, 4), () => Receive(client, attempt, response));
    }

    private void Receive(SimulatedClient client, int attempt, ClientResponse response)
    {
        if (!client.Awaits(attempt))
        {
            return;
        }

        client.Answered();
        var input = client.Input!;
        Trace.Add(Now, "answer", (ulong)client.Id, (ulong)response.Kind, response.LeaderHint);
        switch (response.Kind)
        {
            case ClientResponseKind.Written:
                client.Complete(input.Kind == NodeNomadKvOperationKind.CompareAndSet && !response.Succeeded ? NodeNomadKvOutput.CompareFailed : NodeNomadKvOutput.Ok, Now);
                NextOperation(client);
                break;
            case ClientResponseKind.Read:
                client.Complete(NodeNomadKvOutput.Read(response.Value), Now);
                NextOperation(client);
                break;
            case ClientResponseKind.Unknown:
                client.GiveUp();
                NextOperation(client);
                break;
            case ClientResponseKind.NotLeader when response.LeaderHint != 0 && response.LeaderHint != client.LeaderGuess:
                client.LeaderGuess = response.LeaderHint;
                Retry(client);
                break;
            default:
                // Refused, lost, or no leader known: nothing happened, so trying elsewhere is safe.
                client.LeaderGuess = Pick(Members());
                Retry(client);
                break;
        }
    }

    private void TimedOut(SimulatedClient client, int attempt)
    {
        if (!client.Awaits(attempt))
        {
            return;
        }

        client.Answered();
        Trace.Add(Now, "timeout", (ulong)client.Id, (ulong)attempt);
        if (client.Input!.Kind == NodeNomadKvOperationKind.Get)
        {
            // A read has no effect, so asking another replica keeps it one operation.
            client.LeaderGuess = Pick(Members());
            Retry(client);
        }
        else
        {
            // The proposal may still be committed: the write's outcome is unknown for good.
            client.GiveUp();
            NextOperation(client);
        }
    }

    /// <summary>Tries the operation again after a short backoff, unless it has taken too long.</summary>
    private void Retry(SimulatedClient client)
    {
        if (Now - client.Call > OperationDeadline)
        {
            if (client.Input!.Kind == NodeNomadKvOperationKind.Get)
            {
                client.GiveUp();
            }
            else
            {
                // Every attempt certainly failed, so the write never happened.
                client.Abandon();
            }

            NextOperation(client);
            return;
        }

        _events.After(Random.Next(1, 30), () =>
        {
            if (client.Busy && !client.Waiting)
            {
                SendAttempt(client);
            }
        });
    }

    private void NextOperation(SimulatedClient client) => _events.After(Random.Next(0, 40), () => StartOperation(client));
}
