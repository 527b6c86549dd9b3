using System.Text;
using Faultline.Sdk.Metrics;

namespace Faultline.Plugins.Prometheus.Tests;

/// <summary>Basic auth and TLS against the real Prometheus, configured by its own web config file.</summary>
public sealed class PrometheusSecuredTests(SecuredPrometheus prometheus) : IClassFixture<SecuredPrometheus>, IDisposable
{
    private const string WrongPassword = "not-the-password-31337";

    private readonly PrometheusProvider _provider = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_right_password_over_TLS_checked_against_the_CA_file_is_answered()
    {
        await prometheus.StartAsync();

        var value = await ValueAsync(prometheus.Configuration(SecuredPrometheus.Basic(SecuredPrometheus.Password), new { caFile = prometheus.Certificates.CaFile }));

        Assert.Equal(7, value);
    }

    [Fact]
    public async Task A_wrong_password_is_a_clear_401_that_shows_neither_password()
    {
        await prometheus.StartAsync();

        var failure = await FailureAsync(prometheus.Configuration(SecuredPrometheus.Basic(WrongPassword), new { caFile = prometheus.Certificates.CaFile }));

        Assert.Contains("401", failure.Message, StringComparison.Ordinal);
        Assert.Contains("refused the credentials", failure.Message, StringComparison.Ordinal);
        AssertNoCredential(failure, WrongPassword);
    }

    [Fact]
    public async Task No_credentials_is_a_401_that_says_to_set_auth()
    {
        await prometheus.StartAsync();

        var failure = await FailureAsync(prometheus.Configuration(tls: new { caFile = prometheus.Certificates.CaFile }));

        Assert.Contains("401", failure.Message, StringComparison.Ordinal);
        Assert.Contains("set auth", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_CA_the_certificate_is_refused_with_what_to_configure()
    {
        await prometheus.StartAsync();

        var failure = await FailureAsync(prometheus.Configuration(SecuredPrometheus.Basic(SecuredPrometheus.Password)));

        Assert.Contains("TLS", failure.Message, StringComparison.Ordinal);
        Assert.Contains("tls.caFile", failure.Message, StringComparison.Ordinal);
        AssertNoCredential(failure, SecuredPrometheus.Password);
    }

    [Fact]
    public async Task InsecureSkipVerify_accepts_the_unknown_certificate()
    {
        await prometheus.StartAsync();

        var value = await ValueAsync(prometheus.Configuration(SecuredPrometheus.Basic(SecuredPrometheus.Password), new { insecureSkipVerify = true }));

        Assert.Equal(7, value);
    }

    [Fact]
    public async Task ServerName_is_the_name_the_certificate_must_carry()
    {
        await prometheus.StartAsync();
        var auth = SecuredPrometheus.Basic(SecuredPrometheus.Password);

        var value = await ValueAsync(prometheus.Configuration(auth, new { caFile = prometheus.Certificates.CaFile, serverName = TestCertificates.ServerName }));
        var failure = await FailureAsync(prometheus.Configuration(auth, new { caFile = prometheus.Certificates.CaFile, serverName = "other.faultline.test" }));

        Assert.Equal(7, value);
        Assert.Contains("not issued for other.faultline.test", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_certificate_of_the_CA_is_accepted_and_one_of_another_CA_is_not()
    {
        await prometheus.StartAsync();
        var auth = SecuredPrometheus.Basic(SecuredPrometheus.Password);
        var certificates = prometheus.Certificates;

        var value = await ValueAsync(prometheus.Configuration(auth, new { caFile = certificates.CaFile, certFile = certificates.ClientCertFile, keyFile = certificates.ClientKeyFile }));
        var failure = await FailureAsync(prometheus.Configuration(auth, new { caFile = certificates.CaFile, certFile = certificates.ForeignClientCertFile, keyFile = certificates.ForeignClientKeyFile }));

        Assert.Equal(7, value);
        Assert.Contains(prometheus.Server.Address.AbsoluteUri, failure.Message, StringComparison.Ordinal);
        AssertNoCredential(failure, SecuredPrometheus.Password);
    }

    [Fact]
    public async Task A_CA_file_that_is_not_there_is_named()
    {
        await prometheus.StartAsync();
        var missing = Path.Combine(Path.GetTempPath(), "faultline-no-such-ca.pem");

        var failure = await FailureAsync(prometheus.Configuration(SecuredPrometheus.Basic(SecuredPrometheus.Password), new { caFile = missing }));

        Assert.Contains($"tls.caFile {missing}", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_http_to_the_https_server_is_answered_with_its_own_explanation()
    {
        await prometheus.StartAsync();
        var plain = new UriBuilder(prometheus.Server.Address) { Scheme = Uri.UriSchemeHttp }.Uri.AbsoluteUri;

        var failure = await FailureAsync(new { url = plain, auth = SecuredPrometheus.Basic(SecuredPrometheus.Password) });

        Assert.Contains("HTTPS", failure.Message, StringComparison.Ordinal);
        AssertNoCredential(failure, SecuredPrometheus.Password);
    }

    public void Dispose() => _provider.Dispose();

    private async Task<double> ValueAsync(object configuration)
    {
        var result = await _provider.QueryInstantAsync(Queries.Of("vector(7)", configuration), DateTimeOffset.UtcNow, Token);
        return Assert.Single(result.Samples).Value;
    }

    private async Task<MetricProviderException> FailureAsync(object configuration) =>
        await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await _provider.QueryInstantAsync(Queries.Of("vector(7)", configuration), DateTimeOffset.UtcNow, Token));

    /// <summary>Neither the password nor the header it is sent in appears anywhere in the exception.</summary>
    private static void AssertNoCredential(Exception failure, string password)
    {
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{SecuredPrometheus.Username}:{password}"));
        for (Exception? exception = failure; exception is not null; exception = exception.InnerException)
        {
            Assert.DoesNotContain(password, exception.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(encoded, exception.Message, StringComparison.Ordinal);
        }
    }
}
