namespace Faultline.Plugins.Network.Host;

/// <summary>
/// What this host's kernel and tools can do, probed once in a scratch namespace: the engines the injector may
/// choose from. Each flag comes with the evidence of the probe, reported at registration and in every run.
/// <see cref="TcFilters"/> is the classful prio qdisc with u32 filters: what puts netem or tbf under a destination
/// filter (kernels may have netem without them, as this machine has tbf without them).
/// </summary>
public sealed record HostCapabilities(bool Netem, bool Tbf, bool Nftables, bool NfQueue, bool TcFilters, IReadOnlyList<string> Evidence)
{
    public static HostCapabilities None(string why) => new(false, false, false, false, false, [why]);

    public override string ToString() =>
        $"netem {(Netem ? "yes" : "no")}, tbf {(Tbf ? "yes" : "no")}, nftables {(Nftables ? "yes" : "no")}, NFQUEUE (iptables) {(NfQueue ? "yes" : "no")}, tc prio+u32 {(TcFilters ? "yes" : "no")}";
}
