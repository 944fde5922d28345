using System.Security.Cryptography;

namespace NodeNomad.Launcher;

/// <summary>
/// The secret every peer request carries, made once per data folder and kept in it: a restarted cluster must use
/// the same one, and another data folder (another cluster) gets its own.
/// </summary>
internal static class ClusterSecret
{
    private const string FileName = "cluster-secret";

    public static string LoadOrCreate(string dataFolder)
    {
        var path = Path.Combine(dataFolder, FileName);
        if (File.Exists(path))
        {
            var kept = File.ReadAllText(path).Trim();
            if (kept.Length > 0)
            {
                return kept;
            }
        }

        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        Directory.CreateDirectory(dataFolder);
        File.WriteAllText(path, secret);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return secret;
    }
}
