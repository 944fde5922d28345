using System.Security.Cryptography;
using System.Text;

namespace NodeNomad.Console.Security;

/// <summary>
/// Compares a presented secret with the expected one in constant time: both are hashed with SHA-256 and the
/// digests compared with <see cref="CryptographicOperations.FixedTimeEquals"/>, so neither the bytes nor the
/// length leak through timing.
/// </summary>
public sealed class SecretComparer
{
    private readonly byte[]? _expected;

    /// <summary>Creates the comparer; a null or empty <paramref name="expected"/> matches nothing.</summary>
    public SecretComparer(string? expected) =>
        _expected = string.IsNullOrEmpty(expected) ? null : Digest(expected);

    /// <summary>Whether <paramref name="presented"/> is the secret.</summary>
    public bool Matches(string? presented) =>
        _expected is not null && presented is not null && CryptographicOperations.FixedTimeEquals(Digest(presented), _expected);

    private static byte[] Digest(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}
