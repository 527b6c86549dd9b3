using Faultline.Sdk.Validation;

namespace Faultline.Plugins.Datadog.Tests;

/// <summary>Which API host a configuration sends its keys to (https://docs.datadoghq.com/getting_started/site/).</summary>
public sealed class DatadogSiteTests
{
    [Theory]
    [InlineData("datadoghq.com", "https://api.datadoghq.com/")]
    [InlineData("datadoghq.eu", "https://api.datadoghq.eu/")]
    [InlineData("us3.datadoghq.com", "https://api.us3.datadoghq.com/")]
    [InlineData("us5.datadoghq.com", "https://api.us5.datadoghq.com/")]
    [InlineData("ap1.datadoghq.com", "https://api.ap1.datadoghq.com/")]
    [InlineData("ap2.datadoghq.com", "https://api.ap2.datadoghq.com/")]
    [InlineData("ddog-gov.com", "https://api.ddog-gov.com/")]
    public void Each_site_maps_to_its_api_host(string site, string expected)
    {
        Assert.Equal(new Uri(expected), Settings($$"""{"apiKey":"a","applicationKey":"b","site":"{{site}}"}""").ApiBase);
    }

    [Fact]
    public void Without_site_or_url_the_site_is_US1()
    {
        Assert.Equal(new Uri("https://api.datadoghq.com/"), Settings("""{"apiKey":"a","applicationKey":"b"}""").ApiBase);
    }

    [Theory]
    [InlineData("https://dd-proxy.internal/datadog", "https://dd-proxy.internal/datadog/")]
    [InlineData("https://dd-proxy.internal/datadog/", "https://dd-proxy.internal/datadog/")]
    [InlineData("http://127.0.0.1:9000", "http://127.0.0.1:9000/")]
    public void A_url_replaces_the_site_and_keeps_its_path(string url, string expected)
    {
        Assert.Equal(new Uri(expected), Settings($$"""{"apiKey":"a","applicationKey":"b","url":"{{url}}"}""").ApiBase);
    }

    [Fact]
    public void Every_site_has_a_host()
    {
        Assert.Equal(7, DatadogSites.All.Count);
        Assert.All(DatadogSites.All, site => Assert.Equal("api." + site, DatadogSites.ApiBase(site).Host));
    }

    private static DatadogSettings Settings(string json)
    {
        var errors = new List<ParameterError>();
        var settings = DatadogSettings.Parse(Probe.Json(json), errors);
        Assert.Empty(errors);
        return settings!;
    }
}
