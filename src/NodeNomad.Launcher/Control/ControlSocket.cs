using System.Security.Cryptography;
using System.Text;

namespace NodeNomad.Launcher.Control;

/// <summary>Where the running launcher listens for requests: a Unix domain socket named after its data folder.</summary>
internal static class ControlSocket
{
    private const string FileName = "launcher.sock";

    // A socket address holds at most 103 bytes of path on macOS and 107 on Linux.
    private const int MostPathBytes = 103;

    /// <summary>The socket of the launcher whose data folder is <paramref name="dataFolder"/>; the launcher and its client agree on it.</summary>
    public static string PathFor(string dataFolder)
    {
        var inFolder = Path.Combine(Path.GetFullPath(dataFolder), FileName);
        if (Encoding.UTF8.GetByteCount(inFolder) <= MostPathBytes)
        {
            return inFolder;
        }

        // Too deep to be a socket address: it goes in the temporary folder under a name made from the data folder's path.
        var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(inFolder)))[..16];
        return Path.Combine(Path.GetTempPath(), $"nodenomad-launcher-{name}.sock");
    }
}
