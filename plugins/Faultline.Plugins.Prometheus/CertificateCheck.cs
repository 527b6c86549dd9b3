using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Faultline.Plugins.Prometheus;

/// <summary>
/// Checks the server's certificate against the configured CA (instead of the system's) and, when set, against
/// <c>serverName</c> instead of the URL's host. Remembers why it last refused one, because TLS itself only reports
/// that the callback said no.
/// </summary>
internal sealed class CertificateCheck(X509Certificate2Collection? roots, string? serverName)
{
    private string? _lastRejection;

    /// <summary>
    /// Why the last certificate was refused. Shared by every connection of one pool, so concurrent failures may
    /// see each other's reason; only the message's detail depends on it, never the decision.
    /// </summary>
    public string? LastRejection => Volatile.Read(ref _lastRejection);

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            return Reject("the server presented no certificate");
        }

        using var owned = certificate as X509Certificate2 is null ? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()) : null;
        var leaf = certificate as X509Certificate2 ?? owned!;

        if (serverName is not null ? !leaf.MatchesHostname(serverName) : errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return Reject($"the certificate ({leaf.Subject}) is not issued for {serverName ?? "the URL's host"}");
        }

        if (roots is null)
        {
            var chainErrors = errors & ~SslPolicyErrors.RemoteCertificateNameMismatch;
            return chainErrors == SslPolicyErrors.None || Reject($"the certificate ({leaf.Subject}) is not trusted by the system: {chainErrors}");
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);

        // Private CAs rarely publish revocation lists, and Prometheus' own clients do not check them either.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            // Intermediates the server sent along, so a chain through them can be built to the configured root.
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(leaf) || Reject(
            $"the certificate ({leaf.Subject}) is not signed by a CA of tls.caFile: " +
            string.Join(", ", chain.ChainStatus.Select(status => status.Status).Distinct()));
    }

    private bool Reject(string why)
    {
        Volatile.Write(ref _lastRejection, why);
        return false;
    }
}
