namespace NodeNomad.Node.Snapshots;

/// <summary>
/// The folder of snapshot files the node writes itself: the snapshots it takes of its groups (written off the core's
/// turn, then stored by the log) and the ones it receives from leaders. A group's Raft state reads its newest
/// snapshot from here (to send it on), so each log key's adopted file stays until a newer one replaces it or the
/// group is dropped. Received files nobody adopted (Raft found them stale) go after <see cref="UnadoptedLifetime"/>.
/// The folder is emptied when the node starts: nothing in it is needed across a restart (the log keeps its own copy).
/// </summary>
public sealed class SnapshotStaging
{
    /// <summary>How long a complete file may wait to be adopted before it counts as unused.</summary>
    public static readonly TimeSpan UnadoptedLifetime = TimeSpan.FromMinutes(2);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, string> _adopted = [];
    private readonly TimeProvider _time;

    /// <summary>Creates (or empties) <paramref name="directory"/>.</summary>
    public SnapshotStaging(string directory, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = Path.GetFullPath(directory);
        _time = time ?? TimeProvider.System;
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }

        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <summary>The folder.</summary>
    public string Directory { get; }

    /// <summary>Files held (being written, waiting to be adopted, or adopted).</summary>
    public int Files
    {
        get
        {
            lock (_gate)
            {
                return _files.Count;
            }
        }
    }

    /// <summary>A new file's path, marked as being written (nothing deletes it until <see cref="Written"/> or <see cref="Discard"/>).</summary>
    public string NewFile(string kind)
    {
        var path = Path.Combine(Directory, $"{kind}-{Guid.NewGuid():N}.snapdata");
        lock (_gate)
        {
            _files[path] = new Entry(null, Writing: true, _time.GetUtcNow());
        }

        return path;
    }

    /// <summary>The file at <paramref name="path"/> is complete; it waits to be adopted.</summary>
    public void Written(string path)
    {
        lock (_gate)
        {
            if (_files.ContainsKey(path))
            {
                _files[path] = new Entry(null, Writing: false, _time.GetUtcNow());
            }
        }
    }

    /// <summary>Deletes the file at <paramref name="path"/> (written or not).</summary>
    public void Discard(string path)
    {
        lock (_gate)
        {
            _files.Remove(path);
        }

        Delete(path);
    }

    /// <summary>
    /// The group under <paramref name="logKey"/> now reads its snapshot from <paramref name="data"/>: when that is one of
    /// these files it stays, and the group's previous one goes. Also sweeps files left unadopted too long.
    /// </summary>
    public void Adopt(ulong logKey, Raft.SnapshotData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        List<string> doomed = [];
        lock (_gate)
        {
            var path = data is Raft.FileSnapshotData file && _files.ContainsKey(file.Path) ? file.Path : null;
            if (_adopted.TryGetValue(logKey, out var previous) && previous != path)
            {
                _files.Remove(previous);
                doomed.Add(previous);
                _adopted.Remove(logKey);
            }

            if (path is not null)
            {
                _adopted[logKey] = path;
                _files[path] = new Entry(logKey, Writing: false, _time.GetUtcNow());
            }

            doomed.AddRange(SweepLocked());
        }

        doomed.ForEach(Delete);
    }

    /// <summary>The group under <paramref name="logKey"/> is gone from this node: its file goes.</summary>
    public void Drop(ulong logKey)
    {
        List<string> doomed = [];
        lock (_gate)
        {
            if (_adopted.Remove(logKey, out var path))
            {
                _files.Remove(path);
                doomed.Add(path);
            }

            doomed.AddRange(SweepLocked());
        }

        doomed.ForEach(Delete);
    }

    private List<string> SweepLocked()
    {
        var now = _time.GetUtcNow();
        var stale = _files.Where(f => f.Value is { LogKey: null, Writing: false } && now - f.Value.Since > UnadoptedLifetime).Select(f => f.Key).ToList();
        stale.ForEach(path => _files.Remove(path));
        return stale;
    }

    private static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Gone already, or in use on a platform that refuses: the next start empties the folder.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }

    private readonly record struct Entry(ulong? LogKey, bool Writing, DateTimeOffset Since);
}
