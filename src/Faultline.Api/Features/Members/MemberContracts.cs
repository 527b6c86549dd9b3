using System.Net.Mail;
using Faultline.Domain.Tenancy;
using Faultline.Domain.Validation;
using Faultline.Storage.Tenancy;

namespace Faultline.Api.Features.Members;

public sealed record MemberResponse(Guid Id, Guid TeamId, string Email, string? DisplayName, Role Role, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int Version)
{
    public static MemberResponse From(MemberRecord member) =>
        new(member.Id, member.TeamId, member.Email, member.DisplayName, RoleNames.Parse(member.Role), member.CreatedAt, member.UpdatedAt, member.Version);
}

public sealed record AddMemberRequest(string Email, Role? Role, string? DisplayName = null) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.RequireText("$.email", Email, 254).OptionalText("$.displayName", DisplayName, 200);
        if (!string.IsNullOrWhiteSpace(Email) && !MailAddress.TryCreate(Email, out _))
        {
            errors.Add("$.email", "is not an e-mail address.");
        }

        MemberRoles.Validate(errors, "$.role", Role, required: true);
    }
}

/// <summary>Fields left out (null) keep their value.</summary>
public sealed record UpdateMemberRequest(string? DisplayName = null, Role? Role = null) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.OptionalText("$.displayName", DisplayName, 200);
        MemberRoles.Validate(errors, "$.role", Role, required: false);
    }
}

internal static class MemberRoles
{
    /// <summary>Owner is an organization-level role held by keys, not by team members.</summary>
    public static void Validate(ValidationErrors errors, string path, Role? role, bool required)
    {
        if (role is null)
        {
            if (required)
            {
                errors.Add(path, "is required: viewer, operator or admin.");
            }

            return;
        }

        if (role is not (Role.Viewer or Role.Operator or Role.Admin))
        {
            errors.Add(path, "must be viewer, operator or admin.");
        }
    }
}
