using System.Text.RegularExpressions;

namespace Faultline.Plugins.Network.Engines;

/// <summary>
/// One u32 filter node as <c>tc filter show dev DEV parent fa17:</c> prints it: a header line with its protocol and
/// flowid, then its keys, one "match VALUE/MASK at OFFSET" line each. The chain and hash-table lines that u32
/// prints before its nodes carry no flowid and are no filters of their own.
/// </summary>
public sealed partial record TcFilterEntry(string Family, string FlowId, IReadOnlyList<string> Keys)
{
    public static IReadOnlyList<TcFilterEntry> Parse(string filterShow)
    {
        ArgumentNullException.ThrowIfNull(filterShow);
        var entries = new List<TcFilterEntry>();
        (string Family, string FlowId, List<string> Keys)? current = null;
        foreach (var raw in filterShow.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("filter ", StringComparison.Ordinal))
            {
                Close();
                var header = Header().Match(line);
                current = header.Success ? (header.Groups["family"].Value, header.Groups["flowid"].Value, []) : null;
            }
            else if (line.StartsWith("match ", StringComparison.Ordinal))
            {
                current?.Keys.Add(line);
            }
        }

        Close();
        return entries;

        void Close()
        {
            if (current is { } done)
            {
                entries.Add(new TcFilterEntry(done.Family, done.FlowId, done.Keys));
            }

            current = null;
        }
    }

    /// <summary>Whether this node is exactly <paramref name="filter"/>: same protocol, band and keys.</summary>
    public bool Is(TcFilter filter, string flowId)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return Family == filter.Family && FlowId == flowId && Keys.Order(StringComparer.Ordinal).SequenceEqual(filter.Keys().Order(StringComparer.Ordinal), StringComparer.Ordinal);
    }

    public override string ToString() => $"{Family} -> {FlowId}: {string.Join(", ", Keys.Select(key => key["match ".Length..]))}";

    [GeneratedRegex(@"^filter .*protocol (?<family>\S+) .*\bflowid (?<flowid>\S+)")]
    private static partial Regex Header();
}
