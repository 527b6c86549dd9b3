using System.Globalization;
using Faultline.Plugins.Network.Namespaces;
using Faultline.Plugins.Network.Tests.Lab;

namespace Faultline.Plugins.Network.Tests.Netem;

/// <summary>
/// A namespace's protocol counters from <c>/proc/net/snmp</c> (pairs of lines: "Udp: InDatagrams NoPorts ..." then
/// "Udp: 12 0 ..."), read from inside it: what its own stack counted, e.g. datagrams its checksum check refused.
/// </summary>
internal sealed class SnmpCounters(IReadOnlyDictionary<string, long> values)
{
    public static async Task<SnmpCounters> ReadAsync(NetworkLab lab, NetworkNamespace ns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var shown = await lab.RunAsync(ns, "cat /proc/net/snmp", cancellationToken);
        return Parse(shown.Output);
    }

    public static SnmpCounters Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var i = 0; i + 1 < lines.Length; i += 2)
        {
            var names = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var numbers = lines[i + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (names.Length != numbers.Length || names[0] != numbers[0])
            {
                throw new FormatException($"/proc/net/snmp: '{lines[i]}' is not followed by its values:\n{text}");
            }

            var protocol = names[0].TrimEnd(':');
            for (var field = 1; field < names.Length; field++)
            {
                values[$"{protocol}.{names[field]}"] = long.Parse(numbers[field], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            }
        }

        return new SnmpCounters(values);
    }

    /// <summary>A counter by "Protocol.Name", e.g. "Udp.InCsumErrors".</summary>
    public long this[string name] =>
        values.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"/proc/net/snmp has no {name}; it has {string.Join(", ", values.Keys)}");
}
