namespace Faultline.Api.Auth;

/// <summary>The agent token behind a protocol request: its organization and, for a team-bound token, its team.</summary>
public sealed record AgentCaller(Guid OrganizationId, Guid TokenId, string TokenName, Guid? TeamId);
