using System.Text.Json;

namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>
/// One tc filter from <c>tc -j filter show dev DEV parent HANDLE</c> (or <c>ingress</c>/<c>egress</c> of a clsact):
/// a u32 node, a bpf program, a matchall... Every real filter is a trace. The lines u32 prints for its chain
/// (no options) and its hash table (<c>ht_divisor</c>) are its scaffolding, not filters of their own. Parent is
/// where it was listed: "parent fa17:", "ingress" or "egress".
/// </summary>
public sealed record FilterEntry(string Device, string Parent, string Kind, string Protocol, int Preference, string Handle, string FlowId, bool IsScaffolding)
{
    public static IReadOnlyList<FilterEntry> ParseShow(string json, string device, string parent)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (string.IsNullOrWhiteSpace(json))
        {
            // tc prints nothing at all when the qdisc has no filter.
            return [];
        }

        // u32 prints one "match" property per key: duplicate names, which JsonDocument keeps (and we do not read).
        using var document = JsonDocument.Parse(json);
        var entries = new List<FilterEntry>();
        foreach (var filter in document.RootElement.EnumerateArray())
        {
            var hasOptions = filter.TryGetProperty("options", out var options) && options.ValueKind == JsonValueKind.Object;
            entries.Add(new FilterEntry(
                device,
                parent,
                Text(filter, "kind"),
                Text(filter, "protocol"),
                filter.TryGetProperty("pref", out var pref) && pref.TryGetInt32(out var number) ? number : 0,
                hasOptions ? Text(options, "fh") : "",
                hasOptions ? Text(options, "flowid") : "",
                !hasOptions || options.TryGetProperty("ht_divisor", out _)));
        }

        return entries;
    }

    public override string ToString() =>
        $"filter {Kind} dev {Device} {Parent} protocol {Protocol} pref {Preference} {Handle}{(FlowId.Length > 0 ? $" flowid {FlowId}" : "")}";

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
}
