using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Faultline.Plugins.Prometheus.Tests;

/// <summary>
/// A throw-away CA, a server certificate it signs (for <see cref="ServerName"/> and 127.0.0.1), a client
/// certificate it signs, and a client certificate of another CA, as PEM files in a temporary directory.
/// </summary>
internal sealed class TestCertificates : IDisposable
{
    public const string ServerName = "prometheus.faultline.test";

    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("faultline-prometheus-tls-");

    private TestCertificates()
    {
    }

    public string CaFile => File("ca.pem");

    public string ServerCertFile => File("server.pem");

    public string ServerKeyFile => File("server-key.pem");

    public string ClientCertFile => File("client.pem");

    public string ClientKeyFile => File("client-key.pem");

    public string ForeignClientCertFile => File("foreign-client.pem");

    public string ForeignClientKeyFile => File("foreign-client-key.pem");

    public static TestCertificates Create()
    {
        var certificates = new TestCertificates();
        using var ca = CreateCa("CN=Faultline Test CA");
        using var foreignCa = CreateCa("CN=Some Other CA");
        System.IO.File.WriteAllText(certificates.CaFile, ca.ExportCertificatePem());

        var serverNames = new SubjectAlternativeNameBuilder();
        serverNames.AddDnsName(ServerName);
        serverNames.AddIpAddress(IPAddress.Loopback);
        certificates.Issue(ca, $"CN={ServerName}", ServerAuth, serverNames, certificates.ServerCertFile, certificates.ServerKeyFile);
        certificates.Issue(ca, "CN=faultline-client", ClientAuth, null, certificates.ClientCertFile, certificates.ClientKeyFile);
        certificates.Issue(foreignCa, "CN=foreign-client", ClientAuth, null, certificates.ForeignClientCertFile, certificates.ForeignClientKeyFile);
        return certificates;
    }

    public void Dispose() => _directory.Delete(recursive: true);

    private string File(string name) => Path.Combine(_directory.FullName, name);

    private static X509Certificate2 CreateCa(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    private void Issue(X509Certificate2 ca, string subject, Oid usage, SubjectAlternativeNameBuilder? names, string certFile, string keyFile)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (names is not null)
        {
            request.CertificateExtensions.Add(names.Build());
        }

        // A positive serial: Go refuses negative ones.
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var certificate = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1), serial);
        System.IO.File.WriteAllText(certFile, certificate.ExportCertificatePem());
        System.IO.File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
    }
}
