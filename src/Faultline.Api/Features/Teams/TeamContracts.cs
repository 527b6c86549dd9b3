using Faultline.Domain.Validation;
using Faultline.Storage.Tenancy;

namespace Faultline.Api.Features.Teams;

public sealed record TeamResponse(Guid Id, string Name, string? Description, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int Version)
{
    public static TeamResponse From(TeamRecord team) =>
        new(team.Id, team.Name, team.Description, team.CreatedAt, team.UpdatedAt, team.Version);
}

public sealed record CreateTeamRequest(string Name, string? Description = null) : IValidatable
{
    public void Validate(ValidationErrors errors) =>
        errors.RequireText("$.name", Name, 100).OptionalText("$.description", Description, 1000);
}

/// <summary>Fields left out (null) keep their value; an empty description clears it.</summary>
public sealed record UpdateTeamRequest(string? Name = null, string? Description = null) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (Name is not null)
        {
            errors.RequireText("$.name", Name, 100);
        }

        errors.OptionalText("$.description", Description, 1000);
    }
}
