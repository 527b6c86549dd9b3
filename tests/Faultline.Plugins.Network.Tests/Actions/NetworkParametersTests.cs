using System.Text.Json;
using Faultline.Plugins.Network.Actions;
using Faultline.Sdk.Validation;

namespace Faultline.Plugins.Network.Tests.Actions;

/// <summary>Bad input is refused at validation with the field named; good input reads as Chaos Mesh writes it.</summary>
public sealed class NetworkParametersTests
{
    [Fact]
    public void The_seeds_delay_reads_with_chaos_mesh_string_numbers()
    {
        var p = Read(NetworkAction.Delay, """{ "latency": "200ms", "jitter": "50ms", "correlation": "100" }""", out var errors);

        Assert.Empty(errors);
        Assert.NotNull(p);
        Assert.Equal(TimeSpan.FromMilliseconds(200), p.Latency);
        Assert.Equal(TimeSpan.FromMilliseconds(50), p.Jitter);
        Assert.Equal(100, p.Correlation);
        Assert.Equal(Direction.To, p.Direction);
        Assert.False(p.IsFiltered);
    }

    [Theory]
    [InlineData(NetworkAction.Delay, """{ "latency": "-5ms" }""", "$.latency")]
    [InlineData(NetworkAction.Delay, """{ "latency": "1h" }""", "$.latency")]
    [InlineData(NetworkAction.Delay, """{ }""", "$.latency")]
    [InlineData(NetworkAction.Delay, """{ "latency": "100ms", "jitter": "200ms" }""", "$.jitter")]
    [InlineData(NetworkAction.Delay, """{ "latency": "100ms", "correlation": 101 }""", "$.correlation")]
    [InlineData(NetworkAction.Loss, """{ "percent": 120 }""", "$.percent")]
    [InlineData(NetworkAction.Loss, """{ "percent": -1 }""", "$.percent")]
    [InlineData(NetworkAction.Loss, """{ "percent": 0 }""", "$.percent")]
    [InlineData(NetworkAction.Loss, """{ "percent": "lots" }""", "$.percent")]
    [InlineData(NetworkAction.Loss, """{ "percent": 10, "externalTargets": ["10.0.0.0/33"] }""", "$.externalTargets[0]")]
    [InlineData(NetworkAction.Loss, """{ "percent": 10, "externalTargets": ["example.com"] }""", "$.externalTargets[0]")]
    [InlineData(NetworkAction.Loss, """{ "percent": 10, "ports": [0] }""", "$.ports[0]")]
    [InlineData(NetworkAction.Loss, """{ "percent": 10, "direction": "sideways" }""", "$.direction")]
    [InlineData(NetworkAction.Loss, """{ "percent": 10, "interface": "a/b" }""", "$.interface")]
    [InlineData(NetworkAction.Loss, """{ "percent": 10, "latency": "1s" }""", "$.latency")]
    [InlineData(NetworkAction.Bandwidth, """{ "rate": "fast", "limit": 1000, "burst": 1000 }""", "$.rate")]
    [InlineData(NetworkAction.Bandwidth, """{ "rate": "1mbps", "burst": 1000 }""", "$.limit")]
    [InlineData(NetworkAction.Partition, """{ "target": { "selector": {} } }""", "$.target")]
    public void Bad_input_is_refused_naming_the_field(NetworkAction action, string json, string path)
    {
        var p = Read(action, json, out var errors);

        Assert.Null(p);
        Assert.Contains(errors, e => e.Path == path);
    }

    [Fact]
    public void Every_error_is_reported_at_once()
    {
        Read(NetworkAction.Loss, """{ "percent": 500, "direction": "up", "ports": ["x"], "externalTargets": ["nope"], "extra": 1 }""", out var errors);

        Assert.Equal(["$.direction", "$.externalTargets[0]", "$.extra", "$.percent", "$.ports[0]"], errors.Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Destinations_and_ports_restrict_the_fault()
    {
        var p = Read(NetworkAction.Partition, """{ "direction": "both", "externalTargets": ["10.1.0.0/16", "10.2.3.4", "2001:db8::/32"], "ports": [80, 443] }""", out var errors);

        Assert.Empty(errors);
        Assert.Equal(["10.1.0.0/16", "10.2.3.4/32", "2001:db8::/32"], p!.Destinations.Select(d => d.ToString()));
        Assert.Equal([80, 443], p.Ports);
        Assert.True(p.IsFiltered);
    }

    [Theory]
    [InlineData("1bps", 1L)]
    [InlineData("125kbps", 125_000L)]
    [InlineData("1mbps", 1_000_000L)]
    [InlineData("2GBPS", 2_000_000_000L)]
    public void Bandwidth_rates_are_bytes_per_second_as_in_chaos_mesh(string rate, long bytes)
    {
        var p = Read(NetworkAction.Bandwidth, $$"""{ "rate": "{{rate}}", "limit": 20000, "burst": 10000 }""", out var errors);

        Assert.Empty(errors);
        Assert.Equal(bytes, p!.RateBytesPerSecond);
    }

    private static NetworkParameters? Read(NetworkAction action, string json, out List<ParameterError> errors)
    {
        errors = [];
        using var document = JsonDocument.Parse(json);
        return NetworkParameters.Read(action, document.RootElement, errors);
    }
}
