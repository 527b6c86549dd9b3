using System.Text.Json;
using Faultline.Sdk.Metrics;

namespace Faultline.Plugins.Datadog.Tests;

/// <summary>
/// The keys go to Datadog in two headers and nowhere else: not into any exception (message, inner exceptions),
/// validation error or label, even when the server echoes them back.
/// </summary>
public sealed class DatadogSecretTests : IAsyncLifetime
{
    private const string Query = "avg:system.load.1{*}";
    private const string Echoed = $"invalid key {FakeDatadog.ApiKey} / {FakeDatadog.ApplicationKey}";

    private readonly SkippingClock _clock = new();
    private FakeDatadog _server = null!;

    public async ValueTask InitializeAsync() => _server = await FakeDatadog.StartAsync(Probe.Token);

    public static TheoryData<string> Failures => ["rejected", "echoed-400", "echoed-5xx", "rate-limited", "echoed-limit-name", "timeout", "malformed", "status-error", "unreachable", "invalid"];

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task No_failure_carries_a_key_anywhere_in_its_exception(string failure)
    {
        using var provider = new DatadogProvider(_clock);
        var configuration = _server.Configuration();
        configuration["maxRetries"] = 1;
        configuration["timeout"] = "300ms";
        switch (failure)
        {
            case "rejected":
                _server.Script(Reply.Error(403, "Forbidden"));
                break;
            case "echoed-400":
                _server.Script(Reply.Error(400, Echoed));
                break;
            case "echoed-5xx":
                _server.Script(Reply.Error(500, Echoed), new Reply(503, $"<html>{Echoed}</html>"));
                break;
            case "rate-limited":
                _server.Script(Reply.RateLimited(3), Reply.RateLimited(3));
                break;
            case "echoed-limit-name":
                _server.Script(Reply.RateLimited(3, name: FakeDatadog.ApiKey), Reply.RateLimited(3, name: FakeDatadog.ApplicationKey));
                break;
            case "timeout":
                _server.Script(Reply.Never);
                break;
            case "malformed":
                _server.Script(new Reply(200, "{" + Echoed));
                break;
            case "status-error":
                _server.Script(new Reply(200, JsonSerializer.Serialize(new { status = "error", error = Echoed })));
                break;
            case "unreachable":
                configuration["url"] = "http://127.0.0.1:1/";
                break;
            default:
                configuration["maxRetries"] = 100;
                break;
        }

        var query = new MetricQuery(Query, JsonSerializer.SerializeToElement(configuration));
        var exception = await Assert.ThrowsAsync<MetricProviderException>(async () => await provider.QueryRangeAsync(query, Probe.LastMinutes(5), Probe.Token));

        AssertNoKey(exception.ToString());
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            AssertNoKey(inner.ToString());
        }
    }

    [Fact]
    public async Task Validation_errors_never_echo_a_key()
    {
        using var provider = new DatadogProvider();
        var configuration = JsonSerializer.SerializeToElement(new
        {
            apiKey = FakeDatadog.ApiKey + "\n",
            applicationKey = FakeDatadog.ApplicationKey + "\0",
            site = FakeDatadog.ApiKey,
            monitorId = FakeDatadog.ApplicationKey,
        });

        var result = await provider.ValidateAsync(new MetricQuery(Query, configuration), Probe.Token);

        Assert.False(result.IsValid);
        Assert.All(result.Errors, error => AssertNoKey(error.Message));
    }

    [Fact]
    public async Task Samples_and_settings_do_not_carry_the_keys()
    {
        _server.SetSeries(Query, """[{"metric":"system.load.1","scope":"*","tag_set":["host:a"],"pointlist":[[1767225600000,1.0]]}]""");
        _server.SetMonitor(1, "OK");
        using var provider = new DatadogProvider();

        var series = await provider.QueryRangeAsync(Probe.Of(_server, Query), Probe.LastMinutes(5), Probe.Token);
        var monitor = await provider.QueryInstantAsync(Probe.Of(_server, "monitor:1"), DateTimeOffset.UtcNow, Probe.Token);

        Assert.All(series.Series.SelectMany(s => s.Labels), label => AssertNoKey(label.Key + label.Value));
        Assert.All(monitor.Samples.SelectMany(s => s.Labels), label => AssertNoKey(label.Key + label.Value));
        var errors = new List<Faultline.Sdk.Validation.ParameterError>();
        AssertNoKey(DatadogSettings.Parse(JsonSerializer.SerializeToElement(_server.Configuration()), errors)!.ToString());
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private static void AssertNoKey(string text)
    {
        Assert.DoesNotContain(FakeDatadog.ApiKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeDatadog.ApplicationKey, text, StringComparison.Ordinal);
    }
}
