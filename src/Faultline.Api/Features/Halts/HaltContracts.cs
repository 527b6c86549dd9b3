using Faultline.Domain.Validation;
using Faultline.Storage.Policies;

namespace Faultline.Api.Features.Halts;

/// <summary>A halt switch: while active, every run in its scope is rolled back and new ones are refused.</summary>
public sealed record HaltResponse(
    Guid Id, string Scope, Guid? TeamId, string Reason, string CreatedBy, DateTimeOffset CreatedAt, bool Active, DateTimeOffset? ReleasedAt, string? ReleasedBy)
{
    public static HaltResponse From(HaltRecord halt) =>
        new(halt.Id, halt.Scope, halt.TeamId, halt.Reason, halt.CreatedBy, halt.CreatedAt, halt.IsActive, halt.ReleasedAt, halt.ReleasedBy);
}

/// <summary>A halt to engage: scope team (with teamId), organization, or global (operator organization owners only).</summary>
public sealed record CreateHaltRequest(string Scope, string Reason, Guid? TeamId = null) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (!HaltScopes.IsKnown(Scope))
        {
            errors.Add("$.scope", "must be team, organization or global.");
        }
        else if (Scope == HaltScopes.Team && TeamId is null)
        {
            errors.Add("$.teamId", "is required for a team halt.");
        }
        else if (Scope != HaltScopes.Team && TeamId is not null)
        {
            errors.Add("$.teamId", $"only a team halt names a team; a {Scope} halt covers more.");
        }

        errors.RequireText("$.reason", Reason, 500);
    }
}
