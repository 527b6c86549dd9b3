namespace Faultline.Domain.Secrets;

/// <summary>
/// A place in a probe's or guardrail's configuration that takes the value of a team secret: <see cref="Path"/> is
/// the JSON path of the <c>{"$secret": "name"}</c> object the value replaces, <see cref="Name"/> the secret's name.
/// </summary>
public sealed record SecretReference(string Path, string Name);
