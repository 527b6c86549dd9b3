using System.Text.Json;

namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>
/// One table from <c>nft -j list ruleset</c>, with its chains, rule count and other objects (sets, maps, counters,
/// flowtables...). iptables-nft leaves its tables (ip filter, ip6 nat...) in place after its last rule is
/// deleted, holding only empty accepting base chains; such a skeleton filters nothing and is no trace.
/// </summary>
public sealed record NftTable(string Family, string Name, IReadOnlyList<NftChain> Chains, int Rules, int OtherObjects)
{
    private static readonly string[] IptablesFamilies = ["ip", "ip6", "arp", "bridge"];
    private static readonly string[] IptablesTables = ["filter", "nat", "mangle", "raw", "security", "broute"];

    public bool IsIptablesSkeleton =>
        IptablesFamilies.Contains(Family, StringComparer.Ordinal)
        && IptablesTables.Contains(Name, StringComparer.Ordinal)
        && Rules == 0
        && OtherObjects == 0
        && Chains.All(chain => chain.IsEmptyAcceptingBaseChain);

    public static IReadOnlyList<NftTable> ParseRuleset(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = JsonDocument.Parse(json);
        var order = new List<(string Family, string Name)>();
        var chains = new Dictionary<(string Family, string Name), List<(string Name, string? Hook, string? Policy)>>();
        var rules = new Dictionary<(string Family, string Table, string Chain), int>();
        var others = new Dictionary<(string Family, string Name), int>();
        foreach (var item in document.RootElement.GetProperty("nftables").EnumerateArray())
        {
            foreach (var property in item.EnumerateObject())
            {
                var body = property.Value;
                switch (property.Name)
                {
                    case "metainfo":
                        break;
                    case "table":
                        order.Add((Text(body, "family")!, Text(body, "name")!));
                        break;
                    case "chain":
                        var table = (Text(body, "family")!, Text(body, "table")!);
                        if (!chains.TryGetValue(table, out var list))
                        {
                            chains[table] = list = [];
                        }

                        list.Add((Text(body, "name")!, Text(body, "hook"), Text(body, "policy")));
                        break;
                    case "rule":
                        var chain = (Text(body, "family")!, Text(body, "table")!, Text(body, "chain")!);
                        rules[chain] = rules.GetValueOrDefault(chain) + 1;
                        break;
                    default:
                        // set, map, element, counter, quota, limit, ct helper, flowtable, secmark...: all made by someone.
                        var owner = (Text(body, "family") ?? "", Text(body, "table") ?? "");
                        others[owner] = others.GetValueOrDefault(owner) + 1;
                        break;
                }
            }
        }

        return order.Select(table =>
        {
            var tableChains = chains.GetValueOrDefault(table, [])
                .Select(chain => new NftChain(chain.Name, chain.Hook, chain.Policy, rules.GetValueOrDefault((table.Family, table.Name, chain.Name))))
                .ToList();
            return new NftTable(table.Family, table.Name, tableChains, tableChains.Sum(chain => chain.Rules), others.GetValueOrDefault(table));
        }).ToList();
    }

    public override string ToString() =>
        $"nft table {Family} {Name}: {Chains.Count} chains ({string.Join(", ", Chains.Select(chain => chain.Hook is null ? chain.Name : $"{chain.Name} hook {chain.Hook} policy {chain.Policy}"))}), {Rules} rules, {OtherObjects} other objects";

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
