using System.Security.Cryptography;
using System.Text;

namespace NodeNomad.Node.Security;

/// <summary>API tokens: <c>nn_</c> and 256 random bits in base64url; recorded only as their SHA-256.</summary>
public static class ApiTokens
{
    /// <summary>What every token NodeNomad makes starts with, so a leaked one is recognisable in a scan.</summary>
    public const string Prefix = "nn_";

    /// <summary>A new token.</summary>
    public static string Create() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>A new key id: short, random, safe in a URL.</summary>
    public static string CreateId() => "key-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    /// <summary>The token's SHA-256 as lowercase hex, as the meta group records it.</summary>
    public static string Hash(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
