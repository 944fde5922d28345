using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace NodeNomad.Node.Transport;

/// <summary>
/// The shared secret peers prove with <c>Authorization: Bearer &lt;secret&gt;</c>. The check compares SHA-256
/// digests with <see cref="CryptographicOperations.FixedTimeEquals"/>, so neither the secret's bytes nor its
/// length leak through timing.
/// </summary>
internal sealed class ClusterSecret
{
    private readonly byte[] _expected;

    public ClusterSecret(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        if (secret.Any(c => c is < '!' or > '~'))
        {
            throw new ArgumentException("The cluster secret must be printable ASCII without spaces, as an HTTP header carries it.", nameof(secret));
        }

        Value = secret;
        _expected = Digest(HeaderValue);
    }

    public string Value { get; }

    public string HeaderValue => $"Bearer {Value}";

    public bool IsCarriedBy(StringValues authorization) =>
        authorization.Count == 1 && CryptographicOperations.FixedTimeEquals(Digest(authorization[0] ?? string.Empty), _expected);

    private static byte[] Digest(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}
