using System.Text.Json;
using Faultline.Plugins.Network.Actions;
using Faultline.Plugins.Network.Engines;
using Faultline.Plugins.Network.Host;

namespace Faultline.Plugins.Network.Tests.Engines;

/// <summary>netem where it exists and fits; the fallbacks otherwise; a clear refusal where nothing can do it.</summary>
public sealed class EngineChoiceTests
{
    private static readonly HostCapabilities WithNetem = new(true, true, true, true, true, []);
    private static readonly HostCapabilities NetemWithoutFilters = new(true, true, true, true, false, []);
    private static readonly HostCapabilities ThisMachine = new(false, true, true, true, false, []);
    private static readonly HostCapabilities Bare = new(false, false, false, false, false, []);

    [Theory]
    [InlineData(NetworkAction.Delay, """{ "latency": "200ms", "jitter": "50ms" }""", EngineKind.Netem, EngineKind.NfQueue)]
    [InlineData(NetworkAction.Loss, """{ "percent": 30 }""", EngineKind.Netem, EngineKind.Nftables)]
    [InlineData(NetworkAction.Duplicate, """{ "percent": 30 }""", EngineKind.Netem, EngineKind.Nftables)]
    [InlineData(NetworkAction.Corrupt, """{ "percent": 30 }""", EngineKind.Netem, EngineKind.Nftables)]
    [InlineData(NetworkAction.Bandwidth, """{ "rate": "125kbps", "limit": 20000, "burst": 10000 }""", EngineKind.Tbf, EngineKind.Tbf)]
    [InlineData(NetworkAction.Partition, """{ }""", EngineKind.Nftables, EngineKind.Nftables)]
    public void Each_action_gets_netem_where_the_kernel_has_it_and_a_fallback_here(NetworkAction action, string json, EngineKind withNetem, EngineKind here)
    {
        var p = Parse(action, json);

        Assert.Equal(withNetem, EngineChoice.Choose(p, WithNetem, out _));
        Assert.Equal(here, EngineChoice.Choose(p, ThisMachine, out _));
    }

    [Theory]
    [InlineData(NetworkAction.Delay, """{ "latency": "200ms", "externalTargets": ["10.0.0.0/24"] }""", EngineKind.NfQueue)]
    [InlineData(NetworkAction.Delay, """{ "latency": "200ms", "jitter": "10ms", "correlation": 25, "ports": [443] }""", EngineKind.NfQueue)]
    [InlineData(NetworkAction.Loss, """{ "percent": 30, "externalTargets": ["2001:db8::/32"], "ports": [53] }""", EngineKind.Nftables)]
    [InlineData(NetworkAction.Duplicate, """{ "percent": 30, "externalTargets": ["10.0.0.1"] }""", EngineKind.Nftables)]
    [InlineData(NetworkAction.Corrupt, """{ "percent": 30, "ports": [80] }""", EngineKind.Nftables)]
    public void A_filtered_egress_fault_is_netem_behind_u32_filters_where_the_kernel_has_prio_and_u32_and_the_fallback_elsewhere(
        NetworkAction action, string json, EngineKind fallback)
    {
        var p = Parse(action, json);

        Assert.Equal(EngineKind.Netem, EngineChoice.Choose(p, WithNetem, out _));
        Assert.Equal(fallback, EngineChoice.Choose(p, NetemWithoutFilters, out _));
        Assert.Equal(fallback, EngineChoice.Choose(p, ThisMachine, out _));
    }

    [Fact]
    public void Filtered_reordering_and_correlation_are_netems_where_it_can_filter_and_refused_where_it_cannot()
    {
        var reorder = Parse(NetworkAction.Reorder, """{ "percent": 25, "externalTargets": ["10.0.0.1"] }""");
        var delayWithReorder = Parse(NetworkAction.Delay, """{ "latency": "10ms", "reorder": { "percent": 25 }, "ports": [80] }""");
        var correlatedLoss = Parse(NetworkAction.Loss, """{ "percent": 25, "correlation": 50, "externalTargets": ["10.0.0.1"] }""");

        Assert.Equal(EngineKind.Netem, EngineChoice.Choose(reorder, WithNetem, out _));
        Assert.Equal(EngineKind.Netem, EngineChoice.Choose(delayWithReorder, WithNetem, out _));
        Assert.Equal(EngineKind.Netem, EngineChoice.Choose(correlatedLoss, WithNetem, out _));
        Assert.Null(EngineChoice.Choose(reorder, NetemWithoutFilters, out var refusal));
        Assert.Equal("$.percent", refusal!.Value.Path);
        Assert.Contains("prio with u32", refusal.Value.Message, StringComparison.Ordinal);
        Assert.Null(EngineChoice.Choose(correlatedLoss, NetemWithoutFilters, out refusal));
        Assert.Equal("$.correlation", refusal!.Value.Path);
        Assert.Contains("or the filters", refusal.Value.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Filtered_bandwidth_is_tbf_behind_u32_filters_where_the_kernel_has_them_and_refused_naming_the_filters_elsewhere()
    {
        var filtered = Parse(NetworkAction.Bandwidth, """{ "rate": "1mbps", "limit": 20000, "burst": 10000, "externalTargets": ["10.0.0.1"], "ports": [80] }""");

        Assert.Equal(EngineKind.Tbf, EngineChoice.Choose(filtered, WithNetem, out _));
        Assert.Null(EngineChoice.Choose(filtered, ThisMachine, out var refusal));
        Assert.Equal("$.externalTargets", refusal!.Value.Path);
        Assert.Contains("u32", refusal.Value.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_incoming_delay_uses_the_delayer_even_where_netem_and_filters_exist() =>
        Assert.Equal(EngineKind.NfQueue, EngineChoice.Choose(Parse(NetworkAction.Delay, """{ "latency": "10ms", "direction": "from", "ports": [80] }"""), WithNetem, out _));

    [Theory]
    [InlineData(NetworkAction.Reorder, """{ "percent": 25 }""", "$.percent")]
    [InlineData(NetworkAction.Delay, """{ "latency": "10ms", "reorder": { "percent": 25 } }""", "$.reorder")]
    [InlineData(NetworkAction.Loss, """{ "percent": 25, "correlation": 50 }""", "$.correlation")]
    [InlineData(NetworkAction.Bandwidth, """{ "rate": "1mbps", "limit": 1, "burst": 1, "direction": "from" }""", "$.direction")]
    [InlineData(NetworkAction.Bandwidth, """{ "rate": "1mbps", "limit": 1, "burst": 1, "ports": [80] }""", "$.externalTargets")]
    public void What_no_engine_here_can_honour_is_refused_naming_the_field(NetworkAction action, string json, string path)
    {
        Assert.Null(EngineChoice.Choose(Parse(action, json), ThisMachine, out var refusal));
        Assert.Equal(path, refusal!.Value.Path);
        Assert.Contains("netem", refusal.Value.Message + (path.Contains("externalTargets", StringComparison.Ordinal) || path.Contains("direction", StringComparison.Ordinal) ? " netem" : ""), StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_without_any_engine_refuses_everything_and_says_what_it_lacks()
    {
        foreach (var (action, json) in new[] { (NetworkAction.Delay, """{ "latency": "1ms" }"""), (NetworkAction.Loss, """{ "percent": 1 }"""), (NetworkAction.Partition, "{}") })
        {
            Assert.Null(EngineChoice.Choose(Parse(action, json), Bare, out var refusal));
            Assert.Contains("netem no", refusal!.Value.Message, StringComparison.Ordinal);
        }
    }

    private static NetworkParameters Parse(NetworkAction action, string json)
    {
        var errors = new List<Sdk.Validation.ParameterError>();
        using var document = JsonDocument.Parse(json);
        return NetworkParameters.Read(action, document.RootElement, errors) ?? throw new InvalidOperationException(string.Join("; ", errors));
    }
}
