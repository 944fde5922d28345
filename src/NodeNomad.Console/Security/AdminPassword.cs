using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace NodeNomad.Console.Security;

/// <summary>
/// The admin password the sign-in page checks, configured either as the password itself (<c>CONSOLE_ADMIN_PASSWORD</c>,
/// compared as SHA-256 digests in constant time) or as its PBKDF2 hash (<c>CONSOLE_PASSWORD_HASH</c>,
/// <c>pbkdf2-sha256:iterations:salt:hash</c> with base64 salt and hash), so that the password itself need be in no
/// environment, manifest or secret store. <c>NodeNomad.Console hash-password</c> makes the hash.
/// </summary>
public sealed class AdminPassword
{
    /// <summary>The scheme a hash setting starts with.</summary>
    public const string Scheme = "pbkdf2-sha256";

    /// <summary>The iterations a new hash takes (OWASP's figure for PBKDF2 with SHA-256).</summary>
    public const int DefaultIterations = 600_000;

    /// <summary>The fewest iterations a hash setting may have: fewer make guessing cheap.</summary>
    public const int MinIterations = 10_000;

    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    private readonly SecretComparer? _plain;
    private readonly (int Iterations, byte[] Salt, byte[] Hash)? _derived;

    private AdminPassword(SecretComparer? plain, (int, byte[], byte[])? derived)
    {
        _plain = plain;
        _derived = derived;
    }

    /// <summary>The password given as itself.</summary>
    public static AdminPassword FromPlainText(string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        return new AdminPassword(new SecretComparer(password), null);
    }

    /// <summary>The password given as a hash setting, or the reason the setting is not one.</summary>
    public static (AdminPassword? Password, string? Problem) FromHash(string setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        var parts = setting.Trim().Split(':');
        if (parts is not [Scheme, var rounds, var salt, var hash])
        {
            return (null, $"it must read {Scheme}:<iterations>:<salt>:<hash> (salt and hash in base64), as NodeNomad.Console hash-password prints it.");
        }

        if (!int.TryParse(rounds, NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < MinIterations)
        {
            return (null, $"its iterations must be a whole number of at least {MinIterations}; got '{rounds}'.");
        }

        try
        {
            var saltBytes = Convert.FromBase64String(salt);
            var hashBytes = Convert.FromBase64String(hash);
            if (saltBytes.Length < 8 || hashBytes.Length < 16)
            {
                return (null, "its salt must be at least 8 bytes and its hash at least 16.");
            }

            return (new AdminPassword(null, (iterations, saltBytes, hashBytes)), null);
        }
        catch (FormatException)
        {
            return (null, "its salt and hash must be base64.");
        }
    }

    /// <summary>The hash setting of <paramref name="password"/>, with a fresh random salt.</summary>
    public static string Hash(string password, int iterations = DefaultIterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, MinIterations);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Create(CultureInfo.InvariantCulture, $"{Scheme}:{iterations}:{Convert.ToBase64String(salt)}:{Convert.ToBase64String(hash)}");
    }

    /// <summary>Whether <paramref name="presented"/> is the password; the comparison takes the same time however much of it is right.</summary>
    public bool Matches(string? presented)
    {
        if (presented is null)
        {
            return false;
        }

        if (_derived is not { } derived)
        {
            return _plain!.Matches(presented);
        }

        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(presented), derived.Salt, derived.Iterations, HashAlgorithmName.SHA256, derived.Hash.Length);
        return CryptographicOperations.FixedTimeEquals(hash, derived.Hash);
    }
}
