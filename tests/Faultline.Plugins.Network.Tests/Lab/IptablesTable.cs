namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>
/// One table of <c>iptables-save</c> (or ip6tables-save) output: its chains and its rules as saved ("-A OUTPUT ...").
/// A table holding only built-in chains with policy ACCEPT and no rule filters nothing: iptables leaves it behind
/// after its last rule is deleted, and it is no trace.
/// </summary>
public sealed record IptablesTable(string Family, string Name, IReadOnlyList<IptablesChain> Chains, IReadOnlyList<string> Rules)
{
    /// <summary>What in this table was put there: rules, user-defined chains, built-in chains whose policy is not ACCEPT.</summary>
    public IReadOnlyList<string> Traces =>
    [
        .. Rules.Select(rule => $"{Family} {Name}: {rule}"),
        .. Chains.Where(chain => !chain.IsBuiltIn).Select(chain => $"{Family} {Name}: user chain {chain.Name}"),
        .. Chains.Where(chain => chain.IsBuiltIn && !string.Equals(chain.Policy, "ACCEPT", StringComparison.Ordinal))
            .Select(chain => $"{Family} {Name}: chain {chain.Name} policy {chain.Policy}"),
    ];

    public static IReadOnlyList<IptablesTable> ParseSave(string text, string family)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tables = new List<IptablesTable>();
        string? name = null;
        var chains = new List<IptablesChain>();
        var rules = new List<string>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith('*'))
            {
                name = line[1..];
                chains = [];
                rules = [];
            }
            else if (line.StartsWith(':') && name is not null)
            {
                var words = line[1..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                chains.Add(new IptablesChain(words[0], words.Length > 1 ? words[1] : "-"));
            }
            else if (line.StartsWith("-A ", StringComparison.Ordinal) && name is not null)
            {
                rules.Add(line);
            }
            else if (string.Equals(line, "COMMIT", StringComparison.Ordinal) && name is not null)
            {
                tables.Add(new IptablesTable(family, name, chains, rules));
                name = null;
            }
        }

        return tables;
    }

    public override string ToString() => $"{Family} {Name}: {Chains.Count} chains, {Rules.Count} rules";
}
