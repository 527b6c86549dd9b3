namespace Faultline.Sdk.Injection;

/// <summary>
/// What a host needs for an injector to work: Linux capabilities (CAP_NET_ADMIN), kernel features
/// (sch_netem, nf_tables), binaries on the PATH (tc, nft). Agents report which they have, so the engine
/// picks a host, an engine or a clear refusal before anything is injected.
/// </summary>
public sealed record HostRequirements(
    IReadOnlyList<string> LinuxCapabilities,
    IReadOnlyList<string> KernelFeatures,
    IReadOnlyList<string> Binaries)
{
    public static HostRequirements None { get; } = new([], [], []);
}
