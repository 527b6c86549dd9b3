using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Faultline.Sdk.Metrics;

namespace Faultline.Plugins.Prometheus;

/// <summary>
/// One <see cref="SocketsHttpHandler"/> (one connection pool) per distinct TLS configuration, made on first use and
/// kept for the provider's lifetime: probes query every few seconds, and a client per query would leave a socket
/// in TIME_WAIT each time. Everything else (URL, auth, headers, timeout) is per request, so configurations that
/// differ only there share a pool. Certificate files are read when a pool is made; a renewed file is read again
/// only by a new provider (a host restart).
/// </summary>
internal sealed class PrometheusClients : IDisposable
{
    /// <summary>Recycles pooled connections, so a DNS change behind the URL (a failover) is followed during a long run.</summary>
    public static readonly TimeSpan ConnectionLifetime = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<PrometheusTls, Lazy<PrometheusConnection>> _connections = new();

    public PrometheusConnection For(PrometheusTls tls)
    {
        // Lazy: concurrent first queries make one handler, not one each with all but one leaked.
        var connection = _connections.GetOrAdd(tls, key => new Lazy<PrometheusConnection>(() => Create(key)));
        try
        {
            return connection.Value;
        }
        catch (MetricProviderException)
        {
            // A Lazy keeps its exception: forget it, so a certificate file put in place later is read then.
            _connections.TryRemove(new KeyValuePair<PrometheusTls, Lazy<PrometheusConnection>>(tls, connection));
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var connection in _connections.Values.Where(lazy => lazy.IsValueCreated))
        {
            connection.Value.Client.Dispose();
        }

        _connections.Clear();
    }

    private static PrometheusConnection Create(PrometheusTls tls)
    {
        var ssl = new SslClientAuthenticationOptions();
        CertificateCheck? check = null;
        if (tls.InsecureSkipVerify)
        {
            // What the user asked for in so many words (tls.insecureSkipVerify), for test servers with throw-away certificates.
#pragma warning disable CA5359
            ssl.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (tls.CaFile is not null || tls.ServerName is not null)
        {
            check = new CertificateCheck(tls.CaFile is null ? null : ReadCa(tls.CaFile), tls.ServerName);
            ssl.RemoteCertificateValidationCallback = check.Validate;
        }

        if (tls.CertFile is not null && tls.KeyFile is not null)
        {
            ssl.ClientCertificates = [ReadClientCertificate(tls.CertFile, tls.KeyFile)];
        }

        // No proxy: Prometheus is reached directly, and an HTTP_PROXY meant for other traffic must not receive its
        // credentials. No redirects: a redirect means a wrong url, which is said rather than followed (and a
        // followed redirect would carry custom headers to wherever it points).
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            PooledConnectionLifetime = ConnectionLifetime,
            SslOptions = ssl,
        };

        // Each request has its own deadline (the configured timeout); the client's would only get in the way.
        return new PrometheusConnection(new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan }, check);
    }

    private static X509Certificate2Collection ReadCa(string file)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(file);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new MetricProviderException($"tls.caFile {file} cannot be read: {exception.Message}", exception);
        }

        return roots.Count > 0
            ? roots
            : throw new MetricProviderException($"tls.caFile {file} holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
    }

    private static X509Certificate2 ReadClientCertificate(string certFile, string keyFile)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(certFile, keyFile);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new MetricProviderException($"tls.certFile {certFile} with tls.keyFile {keyFile} cannot be read as a PEM certificate and key: {exception.Message}", exception);
        }
    }
}
