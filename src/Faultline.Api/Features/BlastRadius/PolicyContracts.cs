using System.Text.Json;

namespace Faultline.Api.Features.BlastRadius;

/// <summary>
/// A team's blast-radius policy. <see cref="Version"/> is 0 for a team that never had one (it is unrestricted);
/// send it back in If-Match to replace the policy without losing a concurrent change.
/// </summary>
public sealed record PolicyResponse(Guid TeamId, JsonElement Policy, int Version, DateTimeOffset? UpdatedAt);
