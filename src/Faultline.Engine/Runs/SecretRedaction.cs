namespace Faultline.Engine.Runs;

/// <summary>
/// Removes resolved secret values from text bound for the timeline, a verdict or a log: a provider's error
/// message may quote its configuration ("invalid header value '…'"), and that message is recorded.
/// </summary>
public static class SecretRedaction
{
    public const string Mask = "[secret]";

    public static string Redact(string text, IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(values);

        // Longest first, so a value containing another is masked whole.
        foreach (var value in values.Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).OrderByDescending(v => v.Length))
        {
            text = text.Replace(value, Mask, StringComparison.Ordinal);
        }

        return text;
    }
}
