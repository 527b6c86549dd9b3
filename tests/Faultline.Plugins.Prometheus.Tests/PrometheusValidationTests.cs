using System.Text.Json;
using Faultline.Sdk.Metrics;
using NJsonSchema;

namespace Faultline.Plugins.Prometheus.Tests;

/// <summary>Configuration and query errors: every one at once, each at its JSON path; the schema agrees.</summary>
public sealed class PrometheusValidationTests : IDisposable
{
    private readonly PrometheusProvider _provider = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> Invalid => new()
    {
        { """{}""", "$.url" },
        { """{"url":"/api/v1"}""", "$.url" },
        { """{"url":"ftp://prometheus.test"}""", "$.url" },
        { """{"url":7}""", "$.url" },
        { """{"url":"http://user:secret@prometheus.test"}""", "$.url" },
        { """{"url":"http://prometheus.test?x=1"}""", "$.url" },
        { """{"url":"http://prometheus.test","method":"PUT"}""", "$.method" },
        { """{"url":"http://prometheus.test","timeout":"soon"}""", "$.timeout" },
        { """{"url":"http://prometheus.test","timeout":10}""", "$.timeout" },
        { """{"url":"http://prometheus.test","step":"fast"}""", "$.step" },
        { """{"url":"http://prometheus.test","auth":"secret"}""", "$.auth" },
        { """{"url":"http://prometheus.test","auth":{}}""", "$.auth" },
        { """{"url":"http://prometheus.test","auth":{"basic":{"username":"a","password":"b"},"bearer":{"token":"c"}}}""", "$.auth" },
        { """{"url":"http://prometheus.test","auth":{"digest":{}}}""", "$.auth.digest" },
        { """{"url":"http://prometheus.test","auth":{"basic":{"username":"a"}}}""", "$.auth.basic.password" },
        { """{"url":"http://prometheus.test","auth":{"basic":{"password":"b"}}}""", "$.auth.basic.username" },
        { """{"url":"http://prometheus.test","auth":{"basic":{"username":"a:b","password":"c"}}}""", "$.auth.basic.username" },
        { """{"url":"http://prometheus.test","auth":{"basic":{"username":"a","password":""}}}""", "$.auth.basic.password" },
        { """{"url":"http://prometheus.test","auth":{"basic":{"username":"a","password":"b","realm":"c"}}}""", "$.auth.basic.realm" },
        { """{"url":"http://prometheus.test","auth":{"bearer":{}}}""", "$.auth.bearer.token" },
        { """{"url":"http://prometheus.test","auth":{"bearer":{"token":5}}}""", "$.auth.bearer.token" },
        { """{"url":"http://prometheus.test","tls":{"caFile":""}}""", "$.tls.caFile" },
        { """{"url":"http://prometheus.test","tls":{"certFile":"c.pem"}}""", "$.tls.keyFile" },
        { """{"url":"http://prometheus.test","tls":{"keyFile":"k.pem"}}""", "$.tls.certFile" },
        { """{"url":"http://prometheus.test","tls":{"insecureSkipVerify":"yes"}}""", "$.tls.insecureSkipVerify" },
        { """{"url":"http://prometheus.test","tls":{"verify":false}}""", "$.tls.verify" },
        { """{"url":"http://prometheus.test","headers":{"X-Scope-OrgID":1}}""", "$.headers['X-Scope-OrgID']" },
        { """{"url":"http://prometheus.test","headers":["X-Scope-OrgID: a"]}""", "$.headers" },
        { """{"url":"http://prometheus.test","retries":3}""", "$.retries" },
        { """[1]""", "$" },
    };

    /// <summary>Rules between values or on header names, which validation knows and a JSON Schema cannot say simply.</summary>
    public static TheoryData<string, string> InvalidBeyondTheSchema => new()
    {
        { """{"url":"http://prometheus.test","timeout":"0s"}""", "$.timeout" },
        { """{"url":"http://prometheus.test","timeout":"61s"}""", "$.timeout" },
        { """{"url":"http://prometheus.test","step":"25h"}""", "$.step" },
        { """{"url":"http://prometheus.test","tls":{"insecureSkipVerify":true,"caFile":"ca.pem"}}""", "$.tls.insecureSkipVerify" },
        { """{"url":"http://prometheus.test","headers":{"Authorization":"Bearer x"}}""", "$.headers.Authorization" },
        { """{"url":"http://prometheus.test","headers":{"Content-Type":"text/plain"}}""", "$.headers['Content-Type']" },
        { """{"url":"http://prometheus.test","headers":{"Bad Name":"x"}}""", "$.headers['Bad Name']" },
        { """{"url":"http://prometheus.test","headers":{"X-A":"a\r\nX-B: b"}}""", "$.headers['X-A']" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task An_invalid_configuration_is_refused_at_its_path_by_validation_and_by_the_schema(string configuration, string path)
    {
        var result = await _provider.ValidateAsync(new MetricQuery("up", Parse(configuration)), Token);

        Assert.Contains(result.Errors, e => e.Path == path);
        var schema = await JsonSchema.FromJsonAsync(_provider.Descriptor.ConfigurationSchema, Token);
        Assert.NotEmpty(schema.Validate(configuration));
    }

    [Theory]
    [MemberData(nameof(InvalidBeyondTheSchema))]
    public async Task Rules_beyond_the_schema_are_refused_at_their_path(string configuration, string path)
    {
        var result = await _provider.ValidateAsync(new MetricQuery("up", Parse(configuration)), Token);

        Assert.Contains(result.Errors, e => e.Path == path);
    }

    [Theory]
    [InlineData("""{"url":"http://prometheus:9090"}""")]
    [InlineData("""{"url":"https://mimir.example/prometheus/","method":"GET","timeout":"250ms","step":"30s","headers":{"X-Scope-OrgID":"payments"}}""")]
    [InlineData("""{"url":"https://prometheus.example","auth":{"basic":{"username":"faultline","password":"p"}},"tls":{"caFile":"/etc/ca.pem","serverName":"prometheus.internal"}}""")]
    [InlineData("""{"url":"https://thanos.example","auth":{"bearer":{"token":"t"}},"tls":{"certFile":"c.pem","keyFile":"k.pem","insecureSkipVerify":false}}""")]
    [InlineData("""{"url":"HTTPS://PROMETHEUS.EXAMPLE","tls":{"insecureSkipVerify":true},"timeout":"1m"}""")]
    public async Task A_valid_configuration_passes_validation_and_the_schema(string configuration)
    {
        var result = await _provider.ValidateAsync(new MetricQuery("sum(rate(http_requests_total[1m]))", Parse(configuration)), Token);

        Assert.True(result.IsValid, string.Join("; ", result.Errors.Select(e => $"{e.Path} {e.Message}")));
        var schema = await JsonSchema.FromJsonAsync(_provider.Descriptor.ConfigurationSchema, Token);
        Assert.Empty(schema.Validate(configuration));
    }

    [Fact]
    public async Task Every_problem_is_reported_at_once()
    {
        var configuration = """
            {"url":"ftp://x","method":"PATCH","timeout":"2m","step":"0s","auth":{"basic":{"username":"a"}},
             "tls":{"certFile":"c.pem","bogus":1},"headers":{"Authorization":"x"},"extra":true}
            """;

        var result = await _provider.ValidateAsync(new MetricQuery(" ", Parse(configuration)), Token);

        Assert.Equal(
            ["$.auth.basic.password", "$.extra", "$.headers.Authorization", "$.method", "$.step", "$.timeout", "$.tls.bogus", "$.tls.keyFile", "$.url", "query"],
            result.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task An_empty_query_is_refused(string query)
    {
        var result = await _provider.ValidateAsync(new MetricQuery(query, Parse("""{"url":"http://prometheus.test"}""")), Token);

        Assert.Equal("query", Assert.Single(result.Errors).Path);
    }

    [Fact]
    public async Task PromQL_is_left_to_Prometheus_at_query_time()
    {
        var result = await _provider.ValidateAsync(new MetricQuery("sum(", Parse("""{"url":"http://prometheus.test"}""")), Token);

        Assert.True(result.IsValid);
    }

    [Fact]
    public async Task No_validation_message_shows_a_credential()
    {
        var configuration = """{"url":"http://prometheus.test","timeout":"x","auth":{"basic":{"username":"u","password":"hunter2-secret"}},"headers":{"X-Api-Key":"key-secret-42"}}""";

        var result = await _provider.ValidateAsync(new MetricQuery("up", Parse(configuration)), Token);

        Assert.NotEmpty(result.Errors);
        Assert.All(result.Errors, e => Assert.DoesNotContain("secret", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void The_descriptor_names_the_provider_and_its_schema_parses()
    {
        Assert.Equal("prometheus", _provider.Name);
        Assert.Equal(_provider.Name, _provider.Descriptor.Name);
        Assert.False(string.IsNullOrWhiteSpace(_provider.Descriptor.Description));
        using var schema = JsonDocument.Parse(_provider.Descriptor.ConfigurationSchema);
        Assert.Equal("url", Assert.Single(schema.RootElement.GetProperty("required").EnumerateArray()).GetString());
        Assert.False(schema.RootElement.GetProperty("additionalProperties").GetBoolean());
    }

    public void Dispose() => _provider.Dispose();

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
