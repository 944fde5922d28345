using System.Buffers;
using System.Security.Cryptography;
using NodeNomad.Node.Snapshots;
using NodeNomad.Raft;

namespace NodeNomad.Node.Transport;

/// <summary>Which snapshot a stream brings: its group, the replica sending it, and where it stands in the log.</summary>
internal readonly record struct SnapshotKey(ulong GroupId, ulong From, ulong Index, ulong Term);

/// <summary>
/// A snapshot being received: its message, the data gathered so far and a running SHA-256 of it. The data goes to a
/// file of the node's staging folder as it arrives (so a large snapshot is never whole in memory), or, without a
/// staging folder, to a buffer that grows with the chunks that actually arrive. An assembly outlives a broken stream:
/// the sender resumes it where it stopped.
/// </summary>
internal sealed class SnapshotAssembly : IDisposable
{
    private const int InitialBytes = 1024 * 1024;

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly SnapshotStaging? _staging;
    private readonly string? _path;
    private FileStream? _file;
    private byte[]? _memory;

    public SnapshotAssembly(GroupMessage start, long dataBytes, SnapshotStaging? staging)
    {
        Start = start;
        DataBytes = dataBytes;
        var snapshot = start.Message.Snapshot!;
        Key = new SnapshotKey(start.GroupId, start.Message.From, snapshot.Metadata.Index, snapshot.Metadata.Term);
        _staging = staging;
        if (staging is null)
        {
            _memory = new byte[Math.Min(dataBytes, InitialBytes)];
        }
        else
        {
            _path = staging.NewFile("received");
            _file = new FileStream(_path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0);
        }
    }

    public SnapshotKey Key { get; }

    /// <summary>The start frame's message (its snapshot without data).</summary>
    public GroupMessage Start { get; private set; }

    public long DataBytes { get; }

    public long Received { get; private set; }

    /// <summary>Whether a stream is feeding it now (else it waits to be resumed).</summary>
    public bool InUse { get; set; }

    public long LastActivity { get; set; }

    /// <summary>A resumed stream's start frame: the same snapshot, perhaps in a newer message.</summary>
    public void Resume(GroupMessage start) => Start = start;

    public void Append(ReadOnlySequence<byte> chunk)
    {
        if (chunk.Length > DataBytes - Received)
        {
            throw new FormatException($"Snapshot chunks bring more than the {DataBytes} bytes the start frame announced.");
        }

        foreach (var segment in chunk)
        {
            _hash.AppendData(segment.Span);
            if (_file is not null)
            {
                _file.Write(segment.Span);
            }
            else
            {
                var needed = Received + segment.Length;
                if (needed > _memory!.Length)
                {
                    Array.Resize(ref _memory, (int)Math.Min(DataBytes, Math.Max(needed, 2L * _memory.Length)));
                }

                segment.Span.CopyTo(_memory.AsSpan((int)Received));
            }

            Received += segment.Length;
        }
    }

    /// <summary>The snapshot message with its data, once the data is whole and matches <paramref name="digest"/>.</summary>
    public GroupMessage Complete(ReadOnlySpan<byte> digest)
    {
        if (Received != DataBytes)
        {
            throw new FormatException($"The snapshot ended after {Received} of the {DataBytes} bytes its start frame announced.");
        }

        if (digest.Length != RaftMessageCodec.SnapshotDigestBytes)
        {
            throw new FormatException($"A snapshot end frame holds {digest.Length} bytes instead of a {RaftMessageCodec.SnapshotDigestBytes}-byte digest.");
        }

        if (!_hash.GetHashAndReset().AsSpan().SequenceEqual(digest))
        {
            throw new FormatException("The snapshot's data does not match the digest its sender computed.");
        }

        SnapshotData data;
        if (_file is not null)
        {
            _file.Flush();
            _file.Dispose();
            _file = null;
            _staging!.Written(_path!);
            data = SnapshotData.FromFile(_path!, 0, DataBytes);
        }
        else
        {
            data = SnapshotData.FromBytes(_memory.AsMemory(0, (int)DataBytes));
            _memory = null;
        }

        var message = Start.Message;
        return Start with { Message = message with { Snapshot = message.Snapshot! with { Data = data } } };
    }

    /// <summary>Gives the assembly up: its file (unless complete and handed on) goes.</summary>
    public void Dispose()
    {
        _hash.Dispose();
        if (_file is not null)
        {
            _file.Dispose();
            _file = null;
            _staging!.Discard(_path!);
        }

        _memory = null;
    }
}

/// <summary>
/// The snapshots this node is receiving, across the streams that bring them: one per group and sending replica. When
/// a stream breaks inside a snapshot its assembly waits here; the sender asks how much arrived
/// (<see cref="Held"/>) and resumes from there, rather than from zero. An assembly left waiting longer than
/// <see cref="KeepInterrupted"/> goes.
/// </summary>
public sealed class SnapshotInbox
{
    /// <summary>How long an interrupted snapshot waits to be resumed.</summary>
    public static readonly TimeSpan KeepInterrupted = TimeSpan.FromMinutes(2);

    private readonly Lock _gate = new();
    private readonly Dictionary<(ulong GroupId, ulong From), SnapshotAssembly> _assemblies = [];
    private readonly SnapshotStaging? _staging;
    private readonly TimeProvider _time;

    /// <param name="staging">Where data goes as it arrives; null to gather it in memory (tests, small snapshots).</param>
    /// <param name="time">The clock; the system's by default.</param>
    public SnapshotInbox(SnapshotStaging? staging, TimeProvider? time = null)
    {
        _staging = staging;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Assemblies held (being fed or waiting to be resumed).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _assemblies.Count;
            }
        }
    }

    /// <summary>
    /// How many bytes of the snapshot at (<paramref name="index"/>, <paramref name="term"/>) of group
    /// <paramref name="groupId"/> from replica <paramref name="from"/> arrived before its stream broke: where the
    /// sender may resume. 0 when none waits.
    /// </summary>
    public long Held(ulong groupId, ulong from, ulong index, ulong term)
    {
        lock (_gate)
        {
            Sweep();
            return _assemblies.TryGetValue((groupId, from), out var held) && !held.InUse && held.Key == new SnapshotKey(groupId, from, index, term)
                ? held.Received
                : 0;
        }
    }

    /// <summary>A start frame: a new assembly, or (at a nonzero offset) the interrupted one it resumes.</summary>
    /// <exception cref="FormatException">The offset is not where an interrupted assembly of the same snapshot stopped.</exception>
    internal SnapshotAssembly Begin(GroupMessage start, long dataBytes, long offset)
    {
        var snapshot = start.Message.Snapshot!;
        var key = new SnapshotKey(start.GroupId, start.Message.From, snapshot.Metadata.Index, snapshot.Metadata.Term);
        SnapshotAssembly? discarded = null;
        try
        {
            lock (_gate)
            {
                Sweep();
                _assemblies.TryGetValue((key.GroupId, key.From), out var held);
                if (offset > 0)
                {
                    if (held is null || held.InUse || held.Key != key || held.Received != offset || held.DataBytes != dataBytes)
                    {
                        throw new FormatException($"A snapshot resumes at byte {offset}, but {(held is null || held.Key != key ? "none of it" : $"{held.Received} bytes of it")} arrived here.");
                    }

                    held.InUse = true;
                    held.LastActivity = _time.GetTimestamp();
                    held.Resume(start);
                    return held;
                }

                if (held is not null && held.InUse)
                {
                    throw new FormatException($"A snapshot of group {key.GroupId} from replica {key.From} starts while another stream still brings one.");
                }

                discarded = held;
                var assembly = new SnapshotAssembly(start, dataBytes, _staging) { InUse = true, LastActivity = _time.GetTimestamp() };
                _assemblies[(key.GroupId, key.From)] = assembly;
                return assembly;
            }
        }
        finally
        {
            discarded?.Dispose();
        }
    }

    /// <summary>The assembly is complete (or was refused): it leaves the inbox.</summary>
    internal void Finished(SnapshotAssembly assembly, bool discard)
    {
        lock (_gate)
        {
            if (_assemblies.TryGetValue((assembly.Key.GroupId, assembly.Key.From), out var held) && held == assembly)
            {
                _assemblies.Remove((assembly.Key.GroupId, assembly.Key.From));
            }
        }

        if (discard)
        {
            assembly.Dispose();
        }
    }

    /// <summary>The stream feeding the assembly broke: it waits to be resumed.</summary>
    internal void Interrupted(SnapshotAssembly assembly)
    {
        lock (_gate)
        {
            assembly.InUse = false;
            assembly.LastActivity = _time.GetTimestamp();
        }
    }

    private void Sweep()
    {
        foreach (var (key, held) in _assemblies.Where(a => !a.Value.InUse && _time.GetElapsedTime(a.Value.LastActivity) > KeepInterrupted).ToList())
        {
            _assemblies.Remove(key);
            held.Dispose();
        }
    }
}
