namespace Faultline.Observability.Internal;

/// <summary>
/// Compares tag sets ignoring order, and lets a <see cref="System.Collections.Concurrent.ConcurrentDictionary{TKey,TValue}"/>
/// look a series up by the measurement's own tag span, so that recording into an existing series allocates nothing.
/// </summary>
internal sealed class TagSetComparer :
    IEqualityComparer<TagSet>,
    IAlternateEqualityComparer<ReadOnlySpan<KeyValuePair<string, object?>>, TagSet>
{
    public static TagSetComparer Instance { get; } = new();

    public bool Equals(TagSet? x, TagSet? y)
    {
        if (ReferenceEquals(x, y))
        {
            return true;
        }

        if (x is null || y is null || x.HashCode != y.HashCode || x.Count != y.Count)
        {
            return false;
        }

        // Both are sorted by key with unique keys, so a positional comparison is exact.
        for (var i = 0; i < x.Count; i++)
        {
            if (!string.Equals(x[i].Key, y[i].Key, StringComparison.Ordinal) || !object.Equals(x[i].Value, y[i].Value))
            {
                return false;
            }
        }

        return true;
    }

    public int GetHashCode(TagSet obj) => obj.HashCode;

    public bool Equals(ReadOnlySpan<KeyValuePair<string, object?>> alternate, TagSet other)
    {
        if (alternate.Length != other.Count)
        {
            return false;
        }

        // Every tag of the span must be in the set...
        for (var i = 0; i < alternate.Length; i++)
        {
            var index = other.IndexOf(alternate[i].Key, i);
            if (index < 0 || !object.Equals(alternate[i].Value, other[index].Value))
            {
                return false;
            }
        }

        // ...and every key of the set in the span: with equal lengths this rules out a span that repeats a key
        // ({a=1,a=1} must not match {a=1,b=2}). Such a span never matches and takes the allocating path instead.
        for (var i = 0; i < other.Count; i++)
        {
            if (!Contains(alternate, other[i].Key, i))
            {
                return false;
            }
        }

        return true;
    }

    public int GetHashCode(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => TagSet.ComputeHash(alternate);

    public TagSet Create(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => TagSet.Create(alternate);

    private static bool Contains(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key, int hint)
    {
        if ((uint)hint < (uint)tags.Length && string.Equals(tags[hint].Key, key, StringComparison.Ordinal))
        {
            return true;
        }

        foreach (var tag in tags)
        {
            if (string.Equals(tag.Key, key, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
