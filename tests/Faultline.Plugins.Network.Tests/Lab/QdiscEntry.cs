using System.Text.Json;

namespace Faultline.Plugins.Network.Tests.Lab;

/// <summary>
/// One qdisc from <c>tc -j qdisc show</c>. The qdisc the kernel attaches by itself (noqueue on veth and lo,
/// pfifo_fast/fq_codel/the sysctl default on devices with a queue, mq over them, always with handle 0:) is no trace;
/// anything else (tbf, netem, clsact, ingress, a default kind with a handle of its own) was put there.
/// </summary>
public sealed record QdiscEntry(string Device, string Kind, string Handle, string Parent, bool IsDefault)
{
    private static readonly string[] KernelDefaults = ["noqueue", "pfifo_fast", "fq_codel", "mq"];

    public static IReadOnlyList<QdiscEntry> ParseShow(string json, string? defaultQdisc = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = JsonDocument.Parse(json);
        var entries = new List<QdiscEntry>();
        foreach (var qdisc in document.RootElement.EnumerateArray())
        {
            var kind = Text(qdisc, "kind");
            var handle = Text(qdisc, "handle");
            var parent = qdisc.TryGetProperty("root", out var root) && root.ValueKind == JsonValueKind.True ? "root" : Text(qdisc, "parent");
            var isDefault = string.Equals(handle, "0:", StringComparison.Ordinal)
                && (KernelDefaults.Contains(kind, StringComparer.Ordinal) || string.Equals(kind, defaultQdisc, StringComparison.Ordinal));
            entries.Add(new QdiscEntry(Text(qdisc, "dev"), kind, handle, parent, isDefault));
        }

        return entries;
    }

    public override string ToString() => $"qdisc {Kind} {Handle} dev {Device} {Parent}";

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
}
