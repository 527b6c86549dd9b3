namespace Faultline.Domain.Validation;

/// <summary>
/// Collects every problem with an input at once, keyed by the JSON path of the offending field
/// (<c>$.name</c>, <c>$.members[2].email</c>), so a client can fix them all in one round trip.
/// </summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsEmpty => _errors.Count == 0;

    public ValidationErrors Add(string path, string message)
    {
        if (!_errors.TryGetValue(path, out var list))
        {
            list = [];
            _errors[path] = list;
        }

        list.Add(message);
        return this;
    }

    public IDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(pair => pair.Key, pair => pair.Value.ToArray(), StringComparer.Ordinal);

    /// <summary>Requires a non-blank string no longer than <paramref name="maxLength"/>.</summary>
    public ValidationErrors RequireText(string path, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Add(path, "is required and must not be blank.");
        }

        if (value.Length > maxLength)
        {
            return Add(path, $"must be at most {maxLength} characters.");
        }

        return this;
    }

    public ValidationErrors OptionalText(string path, string? value, int maxLength) =>
        value is not null && value.Length > maxLength ? Add(path, $"must be at most {maxLength} characters.") : this;
}
