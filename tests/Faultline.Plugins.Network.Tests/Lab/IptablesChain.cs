namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>A chain in iptables-save output: a built-in one has a policy (ACCEPT, DROP), a user-defined one "-".</summary>
public sealed record IptablesChain(string Name, string Policy)
{
    public bool IsBuiltIn => !string.Equals(Policy, "-", StringComparison.Ordinal);
}
