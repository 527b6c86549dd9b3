using System.Text;
using Faultline.Domain.Validation;
using Faultline.Storage.Secrets;

namespace Faultline.Api.Features.Secrets;

/// <summary>
/// A secret as the API shows it: its name and history, never its value (which is only ever sent in). Experiments
/// of the team use it as <c>{"$secret": "name"}</c> in a probe's or guardrail's config.
/// <see cref="KeyId"/> names the master key that sealed it; <see cref="Version"/> is its ETag.
/// </summary>
public sealed record SecretResponse(
    Guid TeamId, string Name, string KeyId, int Version, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset UpdatedAt, string UpdatedBy)
{
    public static SecretResponse From(SecretRecord secret) => new(
        secret.TeamId, secret.Name, secret.KeyId, secret.Version, secret.CreatedAt, secret.CreatedBy, secret.UpdatedAt, secret.UpdatedBy);
}

/// <summary>A secret's new value: an API key, a token, a password. Stored sealed, never shown again.</summary>
public sealed record PutSecretRequest(string Value) : IValidatable
{
    /// <summary>Tokens and keys are small; the bound keeps a probe's configuration small too.</summary>
    public const int MaxBytes = 16 * 1024;

    public void Validate(ValidationErrors errors)
    {
        // Messages only ever describe the value; none quotes it.
        if (string.IsNullOrWhiteSpace(Value))
        {
            errors.Add("$.value", "is required and must not be blank.");
        }
        else if (Encoding.UTF8.GetByteCount(Value) > MaxBytes)
        {
            errors.Add("$.value", $"must be at most {MaxBytes} bytes (UTF-8).");
        }
    }

    // A record would print the value; this type must never show it, wherever it ends up.
    public override string ToString() => $"{nameof(PutSecretRequest)} {{ Value = [secret] }}";
}
