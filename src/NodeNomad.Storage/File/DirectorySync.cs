using System.Runtime.InteropServices;

namespace NodeNomad.Storage;

/// <summary>
/// Makes a directory's entries durable. Creating, renaming or deleting a file changes its directory, and on
/// Linux that change is only durable once the directory itself is fsynced; .NET has no API for it.
/// </summary>
internal static partial class DirectorySync
{
    /// <summary>fsyncs <paramref name="path"/>. A no-op on Windows, where NTFS journals directory changes.</summary>
    public static void Flush(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int fd = Open(path, ReadOnly | DirectoryFlag());
        if (fd < 0)
        {
            throw Failure("open", path);
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw Failure("fsync", path);
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private const int ReadOnly = 0;

    // O_DIRECTORY differs between platforms; it makes open fail if the path is not a directory.
    private static int DirectoryFlag() =>
        OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? 0x100000
        : RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 ? 0x4000
        : 0x10000;

    private static IOException Failure(string call, string path)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call} of directory '{path}' failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
