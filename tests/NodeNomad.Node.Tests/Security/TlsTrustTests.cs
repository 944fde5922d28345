using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using NodeNomad.Contracts;
using NodeNomad.Testing;

namespace NodeNomad.Node.Tests.Security;

/// <summary>
/// What a node (and the console) trusts when it calls another process over TLS, on real handshakes over loopback:
/// a certificate the cluster's authority signed, for the name called; nothing else.
/// </summary>
public sealed class TlsTrustTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task a_certificate_the_authority_signed_is_trusted_and_a_self_made_one_is_refused()
    {
        using var certificates = TestCertificates.Create();
        using var authority = TlsFiles.LoadAuthority(certificates.CaFile);

        (await HandshakeAsync(certificates.CertFile, certificates.KeyFile, TlsFiles.ClientOptions(authority), "127.0.0.1")).ShouldBeNull();
        (await HandshakeAsync(certificates.StrangerCertFile, certificates.StrangerKeyFile, TlsFiles.ClientOptions(authority), "127.0.0.1"))
            .ShouldBeOfType<AuthenticationException>();
    }

    [Fact]
    public async Task the_name_called_must_be_in_the_certificate_unless_a_process_calls_itself()
    {
        using var certificates = TestCertificates.Create();
        using var authority = TlsFiles.LoadAuthority(certificates.CaFile);

        (await HandshakeAsync(certificates.CertFile, certificates.KeyFile, TlsFiles.ClientOptions(authority), "node-9.example"))
            .ShouldBeOfType<AuthenticationException>();
        (await HandshakeAsync(certificates.CertFile, certificates.KeyFile, TlsFiles.ClientOptions(authority, ignoreName: true), "node-9.example")).ShouldBeNull();
        (await HandshakeAsync(certificates.StrangerCertFile, certificates.StrangerKeyFile, TlsFiles.ClientOptions(authority, ignoreName: true), "node-9.example"))
            .ShouldBeOfType<AuthenticationException>();
    }

    [Fact]
    public void settings_that_cannot_be_used_say_why()
    {
        using var certificates = TestCertificates.Create();
        TlsFiles.Problem(null, null, null).ShouldBeNull();
        TlsFiles.Problem(certificates.CertFile, certificates.KeyFile, certificates.CaFile).ShouldBeNull();
        TlsFiles.Problem(certificates.CertFile, null, null)!.ShouldContain("TLS_CERT_FILE is set without TLS_KEY_FILE");
        TlsFiles.Problem(null, certificates.KeyFile, null)!.ShouldContain("TLS_KEY_FILE is set without TLS_CERT_FILE");
        TlsFiles.Problem("/nonexistent/cert.pem", certificates.KeyFile, null)!.ShouldContain("TLS_CERT_FILE='/nonexistent/cert.pem': no such file");
        TlsFiles.Problem(certificates.CertFile, certificates.StrangerKeyFile, null)!.ShouldContain("are not a PEM certificate and its private key");
        TlsFiles.Problem(null, null, certificates.KeyFile)!.ShouldContain("is not a PEM certificate");
    }

    /// <summary>A TLS handshake with a server serving the given certificate; null when it succeeded, else the client's error.</summary>
    private static async Task<Exception?> HandshakeAsync(string certFile, string keyFile, SslClientAuthenticationOptions client, string name)
    {
        using var served = TlsFiles.LoadCertificate(certFile, keyFile);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var server = Task.Run(async () =>
        {
            using var socket = await listener.AcceptTcpClientAsync(Ct);
            await using var tls = new SslStream(socket.GetStream());
            try
            {
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = served }, Ct);
            }
            catch (Exception e) when (e is AuthenticationException or IOException)
            {
                // The client gave up on the certificate.
            }
        }, Ct);

        using var connection = new TcpClient();
        await connection.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, Ct);
        await using var stream = new SslStream(connection.GetStream());
        client.TargetHost = name;
        Exception? failure = null;
        try
        {
            await stream.AuthenticateAsClientAsync(client, Ct);
        }
        catch (AuthenticationException e)
        {
            failure = e;
        }

        connection.Close();
        await server;
        return failure;
    }
}
