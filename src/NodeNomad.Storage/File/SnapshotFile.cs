using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using NodeNomad.Raft;

namespace NodeNomad.Storage;

/// <summary>A snapshot file of snap/, read and verified.</summary>
internal sealed record StoredSnapshot(ulong GroupId, Snapshot Snapshot, string Path, long Bytes)
{
    public SnapshotPoint Point => new(Snapshot.Metadata.Index, Snapshot.Metadata.Term);
}

/// <summary>
/// One snapshot per file, named <c>g{groupId:D20}-{index:D20}.snap</c>: format version, group id, index, term,
/// conf state (voters, learners, outgoing voters), data, then a CRC32C of all that precedes it. A file is
/// written under a temporary name, fsynced and renamed, so a name always denotes a complete file. A file is
/// only in effect once the log records it; until then recovery discards it.
/// </summary>
internal static class SnapshotFile
{
    /// <summary>The suffix of a snapshot whose write was interrupted; such a file was never used.</summary>
    public const string TempSuffix = ".tmp";

    private const byte FormatVersion = 1;
    private const string Suffix = ".snap";
    private const int NameLength = 1 + 20 + 1 + 20;

    /// <summary>Bytes copied at a time between a snapshot's data and its file.</summary>
    private const int CopyBufferBytes = 1024 * 1024;

    /// <summary>The most a header may take: its member lists are short (a group has a handful of replicas).</summary>
    private const int MaxHeaderBytes = 64 * 1024;

    public static string FileName(ulong groupId, ulong index) =>
        string.Create(CultureInfo.InvariantCulture, $"g{groupId:D20}-{index:D20}{Suffix}");

    public static bool TryParseName(string fileName, out ulong groupId, out ulong index)
    {
        groupId = 0;
        index = 0;
        return fileName.Length == NameLength + Suffix.Length
            && fileName.EndsWith(Suffix, StringComparison.Ordinal)
            && fileName[0] == 'g'
            && fileName[21] == '-'
            && ulong.TryParse(fileName.AsSpan(1, 20), NumberStyles.None, CultureInfo.InvariantCulture, out groupId)
            && ulong.TryParse(fileName.AsSpan(22, 20), NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }

    /// <summary>
    /// Writes the snapshot durably: temporary file, fsync, rename, fsync of the directory. The data is copied from its
    /// stream a buffer at a time, so a large snapshot is never whole in memory; the returned snapshot reads its data
    /// from the new file.
    /// </summary>
    public static StoredSnapshot Write(string directory, ulong groupId, Snapshot snapshot, bool sync) =>
        Write(directory, groupId, snapshot, sync, Path.Combine(directory, FileName(groupId, snapshot.Metadata.Index)) + TempSuffix, install: true);

    /// <summary>
    /// Writes the snapshot's whole file under a temporary name of its own (fsynced), to be put in place later by
    /// <see cref="Install"/> with a rename: the slow part of storing a large snapshot, done ahead, on any thread.
    /// A staged file that is never installed keeps its temporary suffix, so recovery deletes it.
    /// </summary>
    public static StoredSnapshot Stage(string directory, ulong groupId, Snapshot snapshot, bool sync) =>
        Write(directory, groupId, snapshot, sync, Path.Combine(directory, $"{FileName(groupId, snapshot.Metadata.Index)}.{Guid.NewGuid():N}{TempSuffix}"), install: false);

    /// <summary>Puts a file <see cref="Stage"/> wrote in place: rename, fsync of the directory.</summary>
    public static StoredSnapshot Install(string directory, ulong groupId, StoredSnapshot staged, bool sync)
    {
        string path = Path.Combine(directory, FileName(groupId, staged.Snapshot.Metadata.Index));
        File.Move(staged.Path, path, overwrite: true);
        if (sync)
        {
            DirectorySync.Flush(directory);
        }

        var data = (FileSnapshotData)staged.Snapshot.Data;
        return staged with { Path = path, Snapshot = staged.Snapshot with { Data = SnapshotData.FromFile(path, data.Offset, data.Length) } };
    }

    private static StoredSnapshot Write(string directory, ulong groupId, Snapshot snapshot, bool sync, string temp, bool install)
    {
        SnapshotMetadata metadata = snapshot.Metadata;
        ConfState conf = metadata.ConfState;
        long dataLength = snapshot.Data.Length;
        if (dataLength > uint.MaxValue)
        {
            throw new ArgumentException($"A snapshot of {dataLength} bytes is larger than a snapshot file holds ({uint.MaxValue} bytes).", nameof(snapshot));
        }

        byte[] header = new byte[
            sizeof(byte) + 3 * sizeof(ulong)
            + 3 * sizeof(uint) + (conf.Voters.Count + conf.Learners.Count + conf.VotersOutgoing.Count) * sizeof(ulong)
            + sizeof(uint)];
        var writer = new PayloadWriter(header);
        writer.WriteByte(FormatVersion);
        writer.WriteUInt64(groupId);
        writer.WriteUInt64(metadata.Index);
        writer.WriteUInt64(metadata.Term);
        WriteIds(ref writer, conf.Voters);
        WriteIds(ref writer, conf.Learners);
        WriteIds(ref writer, conf.VotersOutgoing);
        writer.WriteUInt32((uint)dataLength);

        string path = install ? Path.Combine(directory, FileName(groupId, metadata.Index)) : temp;
        bool renamed = false;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
            using (Stream data = snapshot.Data.OpenRead())
            {
                stream.Write(header);
                uint crc = Crc32C.Compute(header);
                long copied = 0;
                while (data.Read(buffer, 0, buffer.Length) is var read and > 0)
                {
                    crc = Crc32C.Append(crc, buffer.AsSpan(0, read));
                    stream.Write(buffer, 0, read);
                    copied += read;
                }

                if (copied != dataLength)
                {
                    throw new IOException($"The snapshot's data gave {copied} bytes instead of the {dataLength} it announced.");
                }

                byte[] checksum = new byte[sizeof(uint)];
                BinaryPrimitives.WriteUInt32LittleEndian(checksum, crc);
                stream.Write(checksum);
                if (sync)
                {
                    stream.Flush(flushToDisk: true);
                }
            }

            // The rename is atomic; fsyncing the directory makes it durable.
            if (install)
            {
                File.Move(temp, path, overwrite: true);
                renamed = true;
                if (sync)
                {
                    DirectorySync.Flush(directory);
                }
            }
        }
        catch
        {
            // No record names the file yet, so nothing uses it. The log stays open after a failed compaction, and
            // a full disk needs the space back before the next snapshot, rather than at the next recovery.
            File.Delete(renamed ? path : temp);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var stored = snapshot with { Data = SnapshotData.FromFile(path, header.Length, dataLength) };
        return new StoredSnapshot(groupId, stored, path, header.Length + dataLength + sizeof(uint));
    }

    /// <summary>
    /// Reads and verifies the snapshot file at <paramref name="path"/>: its header, and a CRC32C over the whole file
    /// computed a buffer at a time. The snapshot's data is left in the file and read from there.
    /// </summary>
    /// <exception cref="LogCorruptedException">The file fails its checksum or does not hold what its name says.</exception>
    public static StoredSnapshot Read(string path, ulong groupId, ulong index)
    {
        long fileLength;
        byte[] prefix;
        uint crc = 0;
        uint stored;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0))
        {
            fileLength = file.Length;
            if (fileLength < sizeof(uint))
            {
                throw Damaged(path, $"it holds only {fileLength} bytes");
            }

            long contentLength = fileLength - sizeof(uint);
            prefix = new byte[(int)Math.Min(contentLength, MaxHeaderBytes)];
            byte[] buffer = ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
            try
            {
                long done = 0;
                while (done < contentLength)
                {
                    int read = file.Read(buffer, 0, (int)Math.Min(buffer.Length, contentLength - done));
                    if (read == 0)
                    {
                        throw Damaged(path, "it ended while being read");
                    }

                    if (done < prefix.Length)
                    {
                        buffer.AsSpan(0, (int)Math.Min(read, prefix.Length - done)).CopyTo(prefix.AsSpan((int)done));
                    }

                    crc = Crc32C.Append(crc, buffer.AsSpan(0, read));
                    done += read;
                }

                Span<byte> tail = stackalloc byte[sizeof(uint)];
                file.ReadExactly(tail);
                stored = BinaryPrimitives.ReadUInt32LittleEndian(tail);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        if (crc != stored)
        {
            throw Damaged(path, "its content does not match its CRC32C");
        }

        try
        {
            var reader = new PayloadReader(prefix);
            byte version = reader.ReadByte();
            if (version != FormatVersion)
            {
                throw new InvalidDataException($"unknown format version {version}");
            }

            ulong storedGroupId = reader.ReadUInt64();
            ulong storedIndex = reader.ReadUInt64();
            if (storedGroupId != groupId || storedIndex != index)
            {
                throw new InvalidDataException($"it holds group {storedGroupId} at index {storedIndex}");
            }

            ulong term = reader.ReadUInt64();
            var conf = new ConfState(ReadIds(ref reader), ReadIds(ref reader), ReadIds(ref reader));
            uint dataLength = reader.ReadUInt32();
            int dataOffset = reader.Position;
            if (dataOffset + (long)dataLength != fileLength - sizeof(uint))
            {
                throw new InvalidDataException($"its header announces {dataLength} bytes of data, but {fileLength - sizeof(uint) - dataOffset} follow it");
            }

            var snapshot = new Snapshot(new SnapshotMetadata(index, term, conf), SnapshotData.FromFile(path, dataOffset, dataLength));
            return new StoredSnapshot(groupId, snapshot, path, fileLength);
        }
        catch (InvalidDataException e)
        {
            throw Damaged(path, e.Message, e);
        }
    }

    private static void WriteIds(ref PayloadWriter writer, IReadOnlyList<ulong> ids)
    {
        writer.WriteUInt32((uint)ids.Count);
        foreach (ulong id in ids)
        {
            writer.WriteUInt64(id);
        }
    }

    private static ulong[] ReadIds(ref PayloadReader reader)
    {
        uint count = reader.ReadUInt32();
        if (count > reader.Remaining / sizeof(ulong))
        {
            throw new InvalidDataException($"a member list of {count} replicas");
        }

        var ids = new ulong[count];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = reader.ReadUInt64();
        }

        return ids;
    }

    private static LogCorruptedException Damaged(string path, string reason, Exception? inner = null) =>
        LogDamage.Found($"Snapshot file '{path}' is damaged: {reason}", inner);
}
