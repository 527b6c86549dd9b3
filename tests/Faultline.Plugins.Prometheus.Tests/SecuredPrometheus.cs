using Faultline.Testing;

namespace Faultline.Plugins.Prometheus.Tests;

/// <summary>
/// The real Prometheus behind its own <c>--web.config.file</c>: HTTPS with a certificate of a throw-away CA
/// (<see cref="TestCertificates"/>), client certificates of that CA verified when given, and basic auth for one
/// user. Started by the first test that asks, inside that test (a missing binary skips, or fails under CI=true).
/// </summary>
public sealed class SecuredPrometheus : IAsyncDisposable
{
    public const string Username = "faultline";
    public const string Password = "faultline-test-password";

    /// <summary>
    /// bcrypt (cost 10) of <see cref="Password"/>, as basic_auth_users wants it. Made once with
    /// <c>python3 -c "import crypt; print(crypt.crypt('faultline-test-password', crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1024)))"</c>
    /// and kept here, so running the tests needs no bcrypt tool.
    /// </summary>
    private const string PasswordHash = "$2b$10$2A.X0/2G934/LG0vf/Z8ouSZr8z42NrTmSfP5jlfY0Wdm5KHqmZPa";

    private readonly SemaphoreSlim _starting = new(1, 1);
    private TestCertificates? _certificates;
    private PrometheusServer? _server;

    internal TestCertificates Certificates => _certificates ?? throw new InvalidOperationException("Call StartAsync first.");

    public PrometheusServer Server => _server ?? throw new InvalidOperationException("Call StartAsync first.");

    public static object Basic(string password) => new { basic = new { username = Username, password } };

    /// <summary>A configuration for this server: its https URL and the given settings.</summary>
    public Dictionary<string, object> Configuration(object? auth = null, object? tls = null)
    {
        var configuration = new Dictionary<string, object> { ["url"] = Server.Address.AbsoluteUri };
        if (auth is not null)
        {
            configuration["auth"] = auth;
        }

        if (tls is not null)
        {
            configuration["tls"] = tls;
        }

        return configuration;
    }

    /// <summary>Starts the server once and waits until it answers a query with the right credentials and CA.</summary>
    public async Task<PrometheusServer> StartAsync()
    {
        var binary = PrometheusServer.RequireBinary();
        await _starting.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (_server is null)
            {
                _certificates = TestCertificates.Create();
                _server = PrometheusServer.Start(binary, ClosedPort.Url(), "/metrics", new PrometheusServerOptions
                {
                    Https = true,
                    WebConfig = $"""
                        tls_server_config:
                          cert_file: {_certificates.ServerCertFile}
                          key_file: {_certificates.ServerKeyFile}
                          client_auth_type: VerifyClientCertIfGiven
                          client_ca_file: {_certificates.CaFile}
                        basic_auth_users:
                          {Username}: {PasswordHash}
                        """,
                });
                using var provider = new PrometheusProvider();
                var ready = Queries.Of("vector(1)", Configuration(Basic(Password), new { caFile = _certificates.CaFile }));
                await provider.InstantAsync(ready, result => !result.IsEmpty, "the secured Prometheus answers", _server);
            }

            return _server;
        }
        finally
        {
            _starting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _certificates?.Dispose();
        _starting.Dispose();
    }
}
