namespace Faultline.Domain.Policies;

/// <summary>
/// One broken rule of a <see cref="BlastRadiusPolicy"/>: the stable rule name (see <see cref="PolicyRules"/>)
/// so clients can react to it, a message with the numbers involved, and the JSON path of the offending spec
/// field when the rule is about one place (<c>null</c> for whole-run rules such as concurrency).
/// </summary>
public sealed record PolicyViolation(string Rule, string Message, string? Path);
