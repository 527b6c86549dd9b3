using System.Text.Json;
using Faultline.Sdk.Metrics;
using NJsonSchema;

namespace Faultline.Plugins.Http.Tests;

/// <summary>Configuration and query errors: every one at once, each at its JSON path; the schema agrees.</summary>
public sealed class HttpProbeValidationTests : IDisposable
{
    private readonly HttpProbeProvider _provider = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> Invalid => new()
    {
        { """{}""", "$.url" },
        { """{"url":"/health"}""", "$.url" },
        { """{"url":"ftp://example.test/file"}""", "$.url" },
        { """{"url":42}""", "$.url" },
        { """{"url":"http://a.test","method":"PATCH"}""", "$.method" },
        { """{"url":"http://a.test","method":"get"}""", "$.method" },
        { """{"url":"http://a.test","headers":{"X-Count":3}}""", "$.headers['X-Count']" },
        { """{"url":"http://a.test","headers":["X-A: b"]}""", "$.headers" },
        { """{"url":"http://a.test","body":7,"method":"POST"}""", "$.body" },
        { """{"url":"http://a.test","expectStatus":99}""", "$.expectStatus" },
        { """{"url":"http://a.test","expectStatus":[]}""", "$.expectStatus" },
        { """{"url":"http://a.test","expectStatus":[200,"201"]}""", "$.expectStatus[1]" },
        { """{"url":"http://a.test","expectStatus":[200,600]}""", "$.expectStatus[1]" },
        { """{"url":"http://a.test","timeout":"soon"}""", "$.timeout" },
        { """{"url":"http://a.test","timeout":5}""", "$.timeout" },
        { """{"url":"http://a.test","requests":0}""", "$.requests" },
        { """{"url":"http://a.test","requests":1001}""", "$.requests" },
        { """{"url":"http://a.test","requests":"10"}""", "$.requests" },
        { """{"url":"http://a.test","concurrency":51}""", "$.concurrency" },
        { """{"url":"http://a.test","concurrency":0}""", "$.concurrency" },
        { """{"url":"http://a.test","retries":3}""", "$.retries" },
        { """[1]""", "$" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task An_invalid_configuration_is_refused_at_its_path_by_validation_and_by_the_schema(string configuration, string path)
    {
        var result = await _provider.ValidateAsync(new MetricQuery("success_ratio", Parse(configuration)), Token);

        Assert.Contains(result.Errors, e => e.Path == path);
        var schema = await JsonSchema.FromJsonAsync(_provider.Descriptor.ConfigurationSchema, Token);
        Assert.NotEmpty(schema.Validate(configuration));
    }

    [Theory]
    [InlineData("""{"url":"http://a.test"}""")]
    [InlineData("""{"url":"https://a.test:8443/health?deep=1","method":"HEAD","timeout":"250ms","requests":1000,"concurrency":50}""")]
    [InlineData("""{"url":"http://a.test","method":"POST","body":"{}","headers":{"Content-Type":"application/json","Authorization":"Bearer x"},"expectStatus":[200,201]}""")]
    [InlineData("""{"url":"HTTP://A.TEST/","expectStatus":204,"timeout":"1m"}""")]
    public async Task A_valid_configuration_passes_validation_and_the_schema(string configuration)
    {
        var result = await _provider.ValidateAsync(new MetricQuery("latency_p99_ms", Parse(configuration)), Token);

        Assert.True(result.IsValid, string.Join("; ", result.Errors.Select(e => $"{e.Path} {e.Message}")));
        var schema = await JsonSchema.FromJsonAsync(_provider.Descriptor.ConfigurationSchema, Token);
        Assert.Empty(schema.Validate(configuration));
    }

    [Fact]
    public async Task Every_problem_is_reported_at_once()
    {
        var configuration = """{"url":"/relative","method":"PATCH","timeout":"2m","requests":0,"concurrency":51,"expectStatus":[200,99],"bogus":true}""";

        var result = await _provider.ValidateAsync(new MetricQuery("latency_p75_ms", Parse(configuration)), Token);

        Assert.Equal(
            ["$.bogus", "$.concurrency", "$.expectStatus[1]", "$.method", "$.requests", "$.timeout", "$.url", "query"],
            result.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("success_ratio")]
    [InlineData("latency_p50_ms")]
    [InlineData("latency_p90_ms")]
    [InlineData("latency_p99_ms")]
    [InlineData("latency_max_ms")]
    [InlineData("error_count")]
    [InlineData("status:200")]
    [InlineData(" status:503 ")]
    public async Task Known_queries_are_accepted(string query)
    {
        Assert.True((await _provider.ValidateAsync(new MetricQuery(query, Parse("""{"url":"http://a.test"}""")), Token)).IsValid);
    }

    [Theory]
    [InlineData("")]
    [InlineData("latency_p75_ms")]
    [InlineData("Success_Ratio")]
    [InlineData("status:")]
    [InlineData("status:99")]
    [InlineData("status:600")]
    [InlineData("status:2xx")]
    [InlineData("status:+200")]
    [InlineData("rate(http_requests_total[5m])")]
    public async Task Unknown_queries_are_refused_with_the_names_that_exist(string query)
    {
        var result = await _provider.ValidateAsync(new MetricQuery(query, Parse("""{"url":"http://a.test"}""")), Token);

        var error = Assert.Single(result.Errors);
        Assert.Equal("query", error.Path);
        Assert.Contains("success_ratio", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credentials_in_the_url_are_refused_because_the_url_becomes_a_label()
    {
        var result = await _provider.ValidateAsync(new MetricQuery("success_ratio", Parse("""{"url":"http://user:secret@a.test/"}""")), Token);

        Assert.Contains(result.Errors, e => e.Path == "$.url" && e.Message.Contains("credentials", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_body_goes_only_with_POST_PUT_or_DELETE_and_content_headers_only_with_a_body()
    {
        var get = await _provider.ValidateAsync(new MetricQuery("success_ratio", Parse("""{"url":"http://a.test","body":"x"}""")), Token);
        var head = await _provider.ValidateAsync(new MetricQuery("success_ratio", Parse("""{"url":"http://a.test","method":"HEAD","body":"x"}""")), Token);
        var contentType = await _provider.ValidateAsync(new MetricQuery("success_ratio", Parse("""{"url":"http://a.test","headers":{"Content-Type":"text/plain"}}""")), Token);
        var length = await _provider.ValidateAsync(new MetricQuery("success_ratio", Parse("""{"url":"http://a.test","method":"POST","body":"x","headers":{"Content-Length":"1"}}""")), Token);
        var badName = await _provider.ValidateAsync(new MetricQuery("success_ratio", Parse("""{"url":"http://a.test","headers":{"Bad Name":"x"}}""")), Token);
        var newline = await _provider.ValidateAsync(new MetricQuery("success_ratio", Parse("""{"url":"http://a.test","headers":{"X-A":"a\r\nX-B: b"}}""")), Token);

        Assert.Equal("$.body", Assert.Single(get.Errors).Path);
        Assert.Equal("$.body", Assert.Single(head.Errors).Path);
        Assert.Equal("$.headers['Content-Type']", Assert.Single(contentType.Errors).Path);
        Assert.Equal("$.headers['Content-Length']", Assert.Single(length.Errors).Path);
        Assert.Equal("$.headers['Bad Name']", Assert.Single(badName.Errors).Path);
        Assert.Equal("$.headers['X-A']", Assert.Single(newline.Errors).Path);
    }

    [Fact]
    public async Task Querying_with_an_invalid_configuration_throws_and_sends_nothing()
    {
        var failure = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await _provider.QueryInstantAsync(new MetricQuery("success_ratio", Parse("""{"url":"http://127.0.0.1:1/","requests":0}""")), DateTimeOffset.UtcNow, Token));
        Assert.Contains("$.requests", failure.Message, StringComparison.Ordinal);

        var unknown = await Assert.ThrowsAsync<MetricProviderException>(async () =>
            await _provider.QueryRangeAsync(new MetricQuery("p75", Parse("""{"url":"http://127.0.0.1:1/"}""")), new TimeWindow(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow, TimeSpan.FromSeconds(10)), Token));
        Assert.Contains("query", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_descriptor_names_the_provider_and_its_schema_parses()
    {
        Assert.Equal("http", _provider.Name);
        Assert.Equal(_provider.Name, _provider.Descriptor.Name);
        Assert.False(string.IsNullOrWhiteSpace(_provider.Descriptor.Description));
        using var schema = JsonDocument.Parse(_provider.Descriptor.ConfigurationSchema);
        Assert.Equal("url", Assert.Single(schema.RootElement.GetProperty("required").EnumerateArray()).GetString());
    }

    public void Dispose() => _provider.Dispose();

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
