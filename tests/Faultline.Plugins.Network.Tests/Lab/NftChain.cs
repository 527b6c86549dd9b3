namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>A chain of an nftables table: a base chain has a hook and a policy, a regular chain neither.</summary>
public sealed record NftChain(string Name, string? Hook, string? Policy, int Rules)
{
    public bool IsEmptyAcceptingBaseChain => Hook is not null && string.Equals(Policy, "accept", StringComparison.Ordinal) && Rules == 0;
}
