namespace Faultline.Plugins.Network.Engines;

/// <summary>How a fault is made: the mechanism is recorded in the fault's handle and shown in the run.</summary>
public enum EngineKind
{
    /// <summary>tc netem on the interface's root, or behind u32 filters under a prio root: delay, jitter, loss, duplication, corruption, reordering.</summary>
    Netem,

    /// <summary>tc tbf on the interface's root, or behind u32 filters under a prio root: bandwidth.</summary>
    Tbf,

    /// <summary>An nftables table of the fault's own: random drop, dup, payload corruption, partition.</summary>
    Nftables,

    /// <summary>iptables NFQUEUE rules and a userspace delayer in this process: delay and jitter.</summary>
    NfQueue,
}
