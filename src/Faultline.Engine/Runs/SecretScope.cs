namespace Faultline.Engine.Runs;

/// <summary>
/// Whose secrets a probe may use: the experiment's organization and team. An experiment without a team has no
/// secrets, and a reference never reaches beyond its own team.
/// </summary>
public readonly record struct SecretScope(Guid OrganizationId, Guid? TeamId)
{
    /// <summary>No secrets at all: references stay unresolved (the probe's provider is then unreachable).</summary>
    public static SecretScope None { get; } = new(Guid.Empty, null);
}
