using System.Text.Json;
using Faultline.Engine.Plugins;
using Faultline.Sdk.Discovery;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Metrics;

namespace Faultline.Api.Features.Plugins;

public sealed record PluginListResponse(string SdkContractVersion, IReadOnlyList<PluginResponse> Items);

/// <summary>
/// A plugin folder as the host saw it. Installed plugins are the platform's, shared by all organizations; the
/// folder path is not shown, since it says nothing a tenant needs and something about the server.
/// </summary>
public sealed record PluginResponse(
    string Id,
    string? Version,
    string? Sdk,
    PluginStatus Status,
    string? Error,
    IReadOnlyList<InjectorResponse> Injectors,
    IReadOnlyList<MetricProviderResponse> MetricProviders,
    IReadOnlyList<TargetDiscoveryResponse> TargetDiscoveries)
{
    public static PluginResponse From(PluginInfo plugin, HostCapabilityRegistry hosts) => new(
        plugin.Id,
        plugin.Version,
        plugin.SdkRange,
        plugin.Status,
        plugin.Error,
        [.. plugin.Injectors.Select(injector => InjectorResponse.From(injector, hosts.Of(injector.Name)))],
        [.. plugin.MetricProviders.Select(MetricProviderResponse.From)],
        [.. plugin.TargetDiscoveries.Select(TargetDiscoveryResponse.From)]);

    internal static JsonElement Schema(string schema)
    {
        try
        {
            using var document = JsonDocument.Parse(schema);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // A plugin's broken schema is its own problem; show it as a string rather than failing the listing.
            return JsonSerializer.SerializeToElement(schema);
        }
    }
}

public sealed record InjectorResponse(
    string Name,
    string Description,
    JsonElement ParametersSchema,
    IReadOnlyList<string> TargetKinds,
    HostRequirementsResponse Requires,
    IReadOnlyList<string> ConflictsWith,
    HostCapabilitiesResponse? Host)
{
    public static InjectorResponse From(InjectorDescriptor injector, HostCapabilityState? host) => new(
        injector.Name,
        injector.Description,
        PluginResponse.Schema(injector.ParametersSchema),
        injector.TargetKinds,
        new HostRequirementsResponse(injector.Requires.LinuxCapabilities, injector.Requires.KernelFeatures, injector.Requires.Binaries),
        injector.Composition.ConflictsWith,
        host is null ? null : new HostCapabilitiesResponse(host.ProbedAt, host.Report?.Features, host.Report?.Evidence ?? [], host.Error));
}

/// <summary>
/// What this node's host can do for the injector, as its probe found at start (null until it has run, or when the
/// injector does not probe). <c>Features</c> is null when the probe itself failed; <c>Error</c> then says why.
/// </summary>
public sealed record HostCapabilitiesResponse(DateTimeOffset ProbedAt, IReadOnlyDictionary<string, bool>? Features, IReadOnlyList<string> Evidence, string? Error);

public sealed record HostRequirementsResponse(IReadOnlyList<string> LinuxCapabilities, IReadOnlyList<string> KernelFeatures, IReadOnlyList<string> Binaries);

public sealed record MetricProviderResponse(string Name, string Description, JsonElement ConfigurationSchema)
{
    public static MetricProviderResponse From(MetricProviderDescriptor provider) =>
        new(provider.Name, provider.Description, PluginResponse.Schema(provider.ConfigurationSchema));
}

public sealed record TargetDiscoveryResponse(string Name, string Description, IReadOnlyList<string> TargetKinds, JsonElement ConfigurationSchema)
{
    public static TargetDiscoveryResponse From(TargetDiscoveryDescriptor discovery) =>
        new(discovery.Name, discovery.Description, discovery.TargetKinds, PluginResponse.Schema(discovery.ConfigurationSchema));
}
