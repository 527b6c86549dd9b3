using System.Diagnostics.CodeAnalysis;

namespace Faultline.Domain.Policies;

/// <summary>
/// One protected-target entry. Text with <c>=</c> is a label selector (<c>tier=payments-db</c>, or several
/// comma-separated pairs that must all match); anything else is an id glob where <c>*</c> matches any run of
/// characters, compared with both the id (<c>db-0</c>) and kind/id (<c>pod/db-0</c>) so a pattern can name one
/// kind. Matching is ordinal: ids and label values are case-sensitive in Kubernetes.
/// </summary>
public sealed class ProtectedTargetPattern
{
    private readonly string? _idGlob;
    private readonly IReadOnlyDictionary<string, string> _labels;

    private ProtectedTargetPattern(string text, string? idGlob, IReadOnlyDictionary<string, string> labels)
    {
        Text = text;
        _idGlob = idGlob;
        _labels = labels;
    }

    public string Text { get; }

    public bool IsLabelSelector => _idGlob is null;

    /// <summary>The label pairs of a label-selector pattern; empty for an id glob.</summary>
    public IReadOnlyDictionary<string, string> Labels => _labels;

    public static bool TryParse(string? text, [NotNullWhen(true)] out ProtectedTargetPattern? pattern)
    {
        pattern = null;
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return false;
        }

        if (!trimmed.Contains('=', StringComparison.Ordinal))
        {
            pattern = new ProtectedTargetPattern(trimmed, trimmed, new Dictionary<string, string>());
            return true;
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in trimmed.Split(',', StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? "" : pair[..equals].Trim();
            var value = equals < 0 ? "" : pair[(equals + 1)..].Trim();

            // A blank key or value would silently protect nothing (or everything); refuse it instead.
            if (key.Length == 0 || value.Length == 0 || !labels.TryAdd(key, value))
            {
                return false;
            }
        }

        pattern = new ProtectedTargetPattern(trimmed, null, labels);
        return true;
    }

    public bool Matches(PlannedTarget target) =>
        _idGlob is not null
            ? Glob(_idGlob, target.Id) || Glob(_idGlob, target.Key)
            : _labels.All(pair => target.Labels.TryGetValue(pair.Key, out var value) && string.Equals(value, pair.Value, StringComparison.Ordinal));

    /// <summary>True when an id named explicitly in a selector matches an id glob.</summary>
    public bool MatchesId(string id) => _idGlob is not null && Glob(_idGlob, id);

    /// <summary>
    /// True when a selector pins every label of a label-selector pattern to the protected value, so every
    /// target it could select is protected. A selector that leaves a key open may or may not reach protected
    /// targets; that is decided once targets are resolved.
    /// </summary>
    public bool IsPinnedBy(IReadOnlyDictionary<string, string> selectorLabels) =>
        _idGlob is null
        && _labels.All(pair => selectorLabels.TryGetValue(pair.Key, out var value) && string.Equals(value, pair.Value, StringComparison.Ordinal));

    public override string ToString() => Text;

    // Iterative glob with backtracking to the last star: linear-ish and no regex, so a hostile pattern cannot
    // make policy evaluation slow.
    private static bool Glob(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] != '*' && pattern[p] == text[t])
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
