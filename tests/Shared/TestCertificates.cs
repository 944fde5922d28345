using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace NodeNomad.Testing;

/// <summary>
/// A throwaway certificate authority and one certificate it signed for 127.0.0.1 and localhost, written as PEM files
/// into a folder of their own (deleted on dispose): what a cluster on TLS is configured with in a test.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly DirectoryInfo _folder;

    private TestCertificates(DirectoryInfo folder)
    {
        _folder = folder;
    }

    /// <summary>The authority's certificate (PEM).</summary>
    public string CaFile => Path.Combine(_folder.FullName, "ca.pem");

    /// <summary>The served certificate (PEM), for 127.0.0.1 and localhost.</summary>
    public string CertFile => Path.Combine(_folder.FullName, "server.pem");

    /// <summary>The served certificate's private key (PEM).</summary>
    public string KeyFile => Path.Combine(_folder.FullName, "server-key.pem");

    /// <summary>A certificate for the same names that the authority did not sign (self-signed).</summary>
    public string StrangerCertFile => Path.Combine(_folder.FullName, "stranger.pem");

    /// <summary>The private key of <see cref="StrangerCertFile"/>.</summary>
    public string StrangerKeyFile => Path.Combine(_folder.FullName, "stranger-key.pem");

    /// <summary>The settings a process serves and trusts TLS with: certificate, key and authority.</summary>
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        [Contracts.TlsFiles.CertFileKey] = CertFile,
        [Contracts.TlsFiles.KeyFileKey] = KeyFile,
        [Contracts.TlsFiles.CaFileKey] = CaFile,
    };

    /// <summary>
    /// A handler for calls to a process started with <paramref name="environment"/>: trusting the authority it was given
    /// (<c>TLS_CA_FILE</c>) when it serves TLS (it was given <c>TLS_CERT_FILE</c>), a plain one otherwise.
    /// </summary>
    public static HttpMessageHandler HandlerFor(IReadOnlyDictionary<string, string> environment) =>
        environment.ContainsKey(Contracts.TlsFiles.CertFileKey) && environment.TryGetValue(Contracts.TlsFiles.CaFileKey, out var ca)
            ? new SocketsHttpHandler { SslOptions = Contracts.TlsFiles.ClientOptions(Contracts.TlsFiles.LoadAuthority(ca)) }
            : new SocketsHttpHandler();

    /// <summary>Makes the authority and the certificates.</summary>
    public static TestCertificates Create()
    {
        var certificates = new TestCertificates(Directory.CreateTempSubdirectory("nodenomad-tls-"));
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=NodeNomad test authority", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        File.WriteAllText(certificates.CaFile, ca.ExportCertificatePem());

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = ServerRequest("CN=127.0.0.1", serverKey);
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var server = serverRequest.Create(ca, now.AddMinutes(-5), now.AddDays(1), serial);
        File.WriteAllText(certificates.CertFile, server.ExportCertificatePem());
        File.WriteAllText(certificates.KeyFile, serverKey.ExportPkcs8PrivateKeyPem());

        using var strangerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var stranger = ServerRequest("CN=127.0.0.1", strangerKey).CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        File.WriteAllText(certificates.StrangerCertFile, stranger.ExportCertificatePem());
        File.WriteAllText(certificates.StrangerKeyFile, strangerKey.ExportPkcs8PrivateKeyPem());
        return certificates;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            _folder.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static CertificateRequest ServerRequest(string subject, ECDsa key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        return request;
    }
}
