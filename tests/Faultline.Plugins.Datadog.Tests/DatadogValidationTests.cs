using System.Text.Json;
using Faultline.Sdk.Metrics;
using NJsonSchema;

namespace Faultline.Plugins.Datadog.Tests;

/// <summary>Configuration and query checks, field by field at JSON paths, in agreement with the JSON Schema.</summary>
public sealed class DatadogValidationTests : IDisposable
{
    private const string Keys = "\"apiKey\":\"a\",\"applicationKey\":\"b\"";

    private readonly DatadogProvider _provider = new();

    public static TheoryData<string, string> Invalid => new()
    {
        { """{"applicationKey":"b"}""", "$.apiKey" },
        { """{"apiKey":"a"}""", "$.applicationKey" },
        { """{"apiKey":"","applicationKey":"b"}""", "$.apiKey" },
        { """{"apiKey":"a","applicationKey":42}""", "$.applicationKey" },
        { $$"""{{{Keys}},"site":"datadoghq.de"}""", "$.site" },
        { $$"""{{{Keys}},"site":"app.datadoghq.com"}""", "$.site" },
        { $$"""{{{Keys}},"site":"datadoghq.com","url":"https://dd-proxy.internal/"}""", "$.url" },
        { $$"""{{{Keys}},"url":"ftp://dd.example/"}""", "$.url" },
        { $$"""{{{Keys}},"monitorId":0}""", "$.monitorId" },
        { $$"""{{{Keys}},"monitorId":"12"}""", "$.monitorId" },
        { $$"""{{{Keys}},"instantLookback":"5"}""", "$.instantLookback" },
        { $$"""{{{Keys}},"maxRetries":11}""", "$.maxRetries" },
        { $$"""{{{Keys}},"maxRetries":-1}""", "$.maxRetries" },
        { $$"""{{{Keys}},"region":"eu"}""", "$.region" },
        { """[1]""", "$" },
    };

    /// <summary>What a JSON Schema cannot say: durations beyond their maximum, plain http to a host that is not loopback.</summary>
    public static TheoryData<string, string> InvalidBeyondTheSchema => new()
    {
        { $$"""{{{Keys}},"url":"http://api.datadoghq.com/"}""", "$.url" },
        { $$"""{{{Keys}},"instantLookback":"25h"}""", "$.instantLookback" },
        { $$"""{{{Keys}},"timeout":"2m"}""", "$.timeout" },
        { $$"""{{{Keys}},"maxRateLimitWait":"10m"}""", "$.maxRateLimitWait" },
    };

    [Theory]
    [MemberData(nameof(InvalidBeyondTheSchema))]
    public async Task Limits_the_schema_cannot_express_are_refused_by_validation(string configuration, string path)
    {
        var result = await _provider.ValidateAsync(new MetricQuery("avg:system.load.1{*}", Probe.Json(configuration)), Probe.Token);

        Assert.Equal(path, Assert.Single(result.Errors).Path);
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task An_invalid_configuration_is_refused_at_its_path_by_validation_and_by_the_schema(string configuration, string path)
    {
        var result = await _provider.ValidateAsync(new MetricQuery("avg:system.load.1{*}", Probe.Json(configuration)), Probe.Token);

        Assert.Contains(result.Errors, e => e.Path == path);
        var schema = await JsonSchema.FromJsonAsync(_provider.Descriptor.ConfigurationSchema, Probe.Token);
        Assert.NotEmpty(schema.Validate(configuration));
    }

    [Theory]
    [InlineData($$"""{{{Keys}}}""")]
    [InlineData($$"""{{{Keys}},"site":"datadoghq.eu","instantLookback":"90s","timeout":"2s","maxRetries":0,"maxRateLimitWait":"1m"}""")]
    [InlineData($$"""{{{Keys}},"url":"https://dd-proxy.internal:8443/datadog"}""")]
    [InlineData($$"""{{{Keys}},"url":"http://127.0.0.1:8126/"}""")]
    [InlineData($$"""{{{Keys}},"site":"ddog-gov.com","maxRetries":10}""")]
    public async Task A_valid_configuration_passes_validation_and_the_schema(string configuration)
    {
        var result = await _provider.ValidateAsync(new MetricQuery("sum:trace.http.request.errors{service:checkout}.as_count()", Probe.Json(configuration)), Probe.Token);

        Assert.True(result.IsValid, string.Join("; ", result.Errors.Select(e => $"{e.Path} {e.Message}")));
        var schema = await JsonSchema.FromJsonAsync(_provider.Descriptor.ConfigurationSchema, Probe.Token);
        Assert.Empty(schema.Validate(configuration));
    }

    [Fact]
    public async Task Every_problem_is_reported_at_once()
    {
        var configuration = """{"apiKey":"","site":"datadoghq.de","url":"gopher://x","timeout":"0s","maxRetries":99,"bogus":true}""";

        var result = await _provider.ValidateAsync(new MetricQuery("  ", Probe.Json(configuration)), Probe.Token);

        Assert.Equal(
            ["$.apiKey", "$.applicationKey", "$.bogus", "$.maxRetries", "$.site", "$.timeout", "$.url", "$.url", "query"],
            result.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_unknown_site_is_an_error_naming_the_field_and_the_sites_that_exist()
    {
        var result = await _provider.ValidateAsync(new MetricQuery("avg:x{*}", Probe.Json($$"""{{{Keys}},"site":"datadoghq.de"}""")), Probe.Token);

        var error = Assert.Single(result.Errors);
        Assert.Equal("$.site", error.Path);
        Assert.Contains("us5.datadoghq.com", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("monitor:")]
    [InlineData("monitor:0")]
    [InlineData("monitor:abc")]
    [InlineData("monitor:-3")]
    [InlineData("monitor")]
    public async Task An_empty_or_malformed_query_is_refused_at_query(string query)
    {
        var result = await _provider.ValidateAsync(new MetricQuery(query, Probe.Json($$"""{{{Keys}}}""")), Probe.Token);

        Assert.Equal("query", Assert.Single(result.Errors).Path);
    }

    [Theory]
    [InlineData("monitor:5", 6)]
    [InlineData("avg:system.load.1{*}", 6)]
    public async Task MonitorId_must_agree_with_the_query(string query, long monitorId)
    {
        var result = await _provider.ValidateAsync(new MetricQuery(query, Probe.Json($$"""{{{Keys}},"monitorId":{{monitorId}}}""")), Probe.Token);

        Assert.Equal("$.monitorId", Assert.Single(result.Errors).Path);
    }

    [Theory]
    [InlineData("monitor:5")]
    [InlineData(" monitor:123456789012 ")]
    [InlineData("avg:system.cpu.user{env:prod} by {host}")]
    [InlineData("sum:trace.http.request.errors{service:checkout}.as_count() / sum:trace.http.request.hits{service:checkout}.as_count()")]
    public async Task Metric_and_monitor_queries_are_accepted(string query)
    {
        Assert.True((await _provider.ValidateAsync(new MetricQuery(query, Probe.Json($$"""{{{Keys}}}""")), Probe.Token)).IsValid);
    }

    [Fact]
    public async Task Querying_with_an_invalid_configuration_throws_and_sends_nothing()
    {
        var failure = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await _provider.QueryInstantAsync(new MetricQuery("avg:x{*}", Probe.Json("""{"url":"http://127.0.0.1:1/","apiKey":"a"}""")), DateTimeOffset.UtcNow, Probe.Token));

        Assert.Contains("$.applicationKey", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_descriptor_names_the_provider_documents_the_monitor_mapping_and_its_schema_parses()
    {
        Assert.Equal("datadog", _provider.Name);
        Assert.Equal(_provider.Name, _provider.Descriptor.Name);
        using var schema = JsonDocument.Parse(_provider.Descriptor.ConfigurationSchema);
        Assert.Equal(["apiKey", "applicationKey"], schema.RootElement.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        var description = schema.RootElement.GetProperty("description").GetString()!;
        foreach (var state in new[] { "OK to 0", "Warn to 0.5", "Alert to 1", "No Data", "Unknown", "Skipped", "Ignored" })
        {
            Assert.Contains(state, description, StringComparison.Ordinal);
        }

        // The schema's site list is the provider's: they are written twice (the schema must be a constant).
        Assert.Equal(DatadogSites.All, schema.RootElement.GetProperty("properties").GetProperty("site").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
    }

    public void Dispose() => _provider.Dispose();
}
