namespace Faultline.Agent;

/// <summary>
/// A fault id becomes a file name in the journal (and in many injectors' state): a separator, "..", or a control
/// character could reach outside the directory, so only a conservative alphabet is accepted.
/// </summary>
public static class FaultIds
{
    public static bool IsSafe(string? faultId) =>
        faultId is { Length: > 0 and <= 200 } && faultId[0] != '.' &&
        faultId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
