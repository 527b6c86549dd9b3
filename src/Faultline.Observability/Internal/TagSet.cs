using System.Text;

namespace Faultline.Observability.Internal;

/// <summary>
/// An immutable, order-independent set of measurement tags: the key of one time series. It is allocated once per
/// new series; later measurements find it through <see cref="TagSetComparer"/> straight from the caller's span.
/// </summary>
internal sealed class TagSet
{
    private readonly KeyValuePair<string, object?>[] _tags;
    private string? _labels;

    private TagSet(KeyValuePair<string, object?>[] tags)
    {
        _tags = tags;
        HashCode = ComputeHash(tags);
    }

    /// <summary>
    /// The series that absorbs measurements once an instrument has reached its series limit, named as
    /// OpenTelemetry's cardinality-limit overflow attribute so that it is recognisable in queries.
    /// </summary>
    public static TagSet Overflow { get; } = new([new("otel.metric.overflow", true)]);

    public int HashCode { get; }

    public int Count => _tags.Length;

    public KeyValuePair<string, object?> this[int index] => _tags[index];

    /// <summary>
    /// Rendered label pairs without braces, e.g. <c>method="GET",status="200"</c>. Built on first scrape and kept,
    /// since a series' labels never change; a race only builds the same string twice.
    /// </summary>
    public string Labels => _labels ??= RenderLabels();

    public static TagSet Create(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        // A repeated key is a caller bug; keeping the first occurrence gives the series a stable identity.
        var unique = new List<KeyValuePair<string, object?>>(tags.Length);
        foreach (var tag in tags)
        {
            if (!unique.Exists(existing => string.Equals(existing.Key, tag.Key, StringComparison.Ordinal)))
            {
                unique.Add(tag);
            }
        }

        var array = unique.ToArray();
        Array.Sort(array, static (left, right) => string.CompareOrdinal(left.Key, right.Key));
        return new TagSet(array);
    }

    /// <summary>Summed per-tag hashes, so that the order in which a caller passes tags does not matter.</summary>
    public static int ComputeHash(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var hash = 0;
        foreach (var tag in tags)
        {
            hash = unchecked(hash + System.HashCode.Combine(tag.Key, tag.Value));
        }

        return hash;
    }

    public int IndexOf(string key, int hint)
    {
        // Callers usually pass tags in the same order every time, so the positional guess mostly hits.
        if ((uint)hint < (uint)_tags.Length && string.Equals(_tags[hint].Key, key, StringComparison.Ordinal))
        {
            return hint;
        }

        for (var i = 0; i < _tags.Length; i++)
        {
            if (string.Equals(_tags[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private string RenderLabels()
    {
        if (_tags.Length == 0)
        {
            return string.Empty;
        }

        // Distinct tag keys can sanitize to one label name ("a.b", "a_b"). Prometheus rejects a repeated label, so,
        // as the compatibility spec says, their values are joined with ';' in the order of the original keys.
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in _tags)
        {
            var name = PrometheusNaming.SanitizeLabelName(tag.Key);
            var value = PrometheusText.FormatLabelValue(tag.Value);
            labels[name] = labels.TryGetValue(name, out var existing) ? existing + ";" + value : value;
        }

        var builder = new StringBuilder();
        foreach (var (name, value) in labels)
        {
            if (builder.Length > 0)
            {
                builder.Append(',');
            }

            builder.Append(name).Append("=\"");
            PrometheusText.AppendEscapedLabelValue(builder, value);
            builder.Append('"');
        }

        return builder.ToString();
    }
}
