using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace NodeNomad.Contracts;

/// <summary>
/// TLS as NodeNomad's processes are configured for it: a certificate and its private key in PEM files (the one a node
/// serves on its client and peer ports, the console on its page), and optionally the certificate of the authority
/// that signed the cluster's certificates, which then is the only one trusted when a process calls another.
/// </summary>
public static class TlsFiles
{
    /// <summary>The setting naming the PEM file of the certificate served (its chain may follow it in the file).</summary>
    public const string CertFileKey = "TLS_CERT_FILE";

    /// <summary>The setting naming the PEM file of the certificate's private key.</summary>
    public const string KeyFileKey = "TLS_KEY_FILE";

    /// <summary>
    /// The setting naming the PEM file of the authority whose certificates are trusted when calling other processes;
    /// without it, the machine's trusted roots are.
    /// </summary>
    public const string CaFileKey = "TLS_CA_FILE";

    /// <summary>Loads the certificate with its private key; the error says which file is wrong and why.</summary>
    /// <exception cref="InvalidOperationException">A file is missing or is not a PEM certificate or key.</exception>
    public static X509Certificate2 LoadCertificate(string certFile, string keyFile)
    {
        ArgumentNullException.ThrowIfNull(certFile);
        ArgumentNullException.ThrowIfNull(keyFile);
        foreach (var (key, file) in new[] { (CertFileKey, certFile), (KeyFileKey, keyFile) })
        {
            if (!File.Exists(file))
            {
                throw new InvalidOperationException($"{key}='{file}': no such file.");
            }
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(certFile, keyFile);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException($"{CertFileKey}='{certFile}' and {KeyFileKey}='{keyFile}' are not a PEM certificate and its private key: {e.Message}", e);
        }
    }

    /// <summary>Loads the authority's certificate (the first one in the file).</summary>
    /// <exception cref="InvalidOperationException">The file is missing or holds no PEM certificate.</exception>
    public static X509Certificate2 LoadAuthority(string caFile)
    {
        ArgumentNullException.ThrowIfNull(caFile);
        if (!File.Exists(caFile))
        {
            throw new InvalidOperationException($"{CaFileKey}='{caFile}': no such file.");
        }

        try
        {
            return X509Certificate2.CreateFromPem(File.ReadAllText(caFile));
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException($"{CaFileKey}='{caFile}' is not a PEM certificate: {e.Message}", e);
        }
    }

    /// <summary>
    /// Why the three settings cannot be used, or null when they can (none set is fine: no TLS). A key without a
    /// certificate, a certificate without a key, a missing or unreadable file each get their reason.
    /// </summary>
    public static string? Problem(string? certFile, string? keyFile, string? caFile)
    {
        if ((certFile is null) != (keyFile is null))
        {
            return certFile is null
                ? $"{KeyFileKey} is set without {CertFileKey}: give both, or neither for no TLS."
                : $"{CertFileKey} is set without {KeyFileKey}: give both, or neither for no TLS.";
        }

        try
        {
            if (certFile is not null)
            {
                using var _ = LoadCertificate(certFile, keyFile!);
            }

            if (caFile is not null)
            {
                using var _ = LoadAuthority(caFile);
            }
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }

        return null;
    }

    /// <summary>
    /// Client-side TLS for calls to other NodeNomad processes: with <paramref name="authority"/>, only certificates it
    /// signed are trusted (the host name must still match unless <paramref name="ignoreName"/>, for a process calling
    /// itself on loopback); without it, the machine's trusted roots decide.
    /// </summary>
    public static SslClientAuthenticationOptions ClientOptions(X509Certificate2? authority, bool ignoreName = false) => new()
    {
        RemoteCertificateValidationCallback = Validator(authority, ignoreName),
    };

    /// <summary>The check of a server's certificate that <see cref="ClientOptions"/> uses.</summary>
    public static RemoteCertificateValidationCallback Validator(X509Certificate2? authority, bool ignoreName = false) =>
        (_, certificate, chain, errors) =>
        {
            var nameErrors = ignoreName ? SslPolicyErrors.None : errors & SslPolicyErrors.RemoteCertificateNameMismatch;
            if (authority is null || certificate is null)
            {
                var rest = ignoreName ? errors & ~SslPolicyErrors.RemoteCertificateNameMismatch : errors;
                return rest == SslPolicyErrors.None;
            }

            if (nameErrors != SslPolicyErrors.None || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
            {
                return false;
            }

            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.Add(authority);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain is not null)
            {
                foreach (var element in chain.ChainElements)
                {
                    custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            using var served = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            return custom.Build(served);
        };
}
