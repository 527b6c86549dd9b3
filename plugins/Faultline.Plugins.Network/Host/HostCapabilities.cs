namespace Faultline.Plugins.Network.Host;

/// <summary>
/// What this host's kernel and tools can do, probed once in a scratch namespace: the engines the injector may
/// choose from. Each flag comes with the evidence of the probe, reported at registration and in every run.
/// </summary>
public sealed record HostCapabilities(bool Netem, bool Tbf, bool Nftables, bool NfQueue, IReadOnlyList<string> Evidence)
{
    public static HostCapabilities None(string why) => new(false, false, false, false, [why]);

    public override string ToString() =>
        $"netem {(Netem ? "yes" : "no")}, tbf {(Tbf ? "yes" : "no")}, nftables {(Nftables ? "yes" : "no")}, NFQUEUE (iptables) {(NfQueue ? "yes" : "no")}";
}
