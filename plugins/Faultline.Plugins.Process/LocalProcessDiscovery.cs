using System.Globalization;
using System.Text.Json;
using Faultline.Sdk.Discovery;
using Faultline.Sdk.Targets;

namespace Faultline.Plugins.Process;

/// <summary>
/// <c>process</c> discovery: processes of this host from /proc, labelled by command name, optionally narrowed
/// by <c>{"command": "redis-server"}</c>. Each target carries its start time so a reused pid is never hit.
/// </summary>
public sealed class LocalProcessDiscovery : ITargetDiscovery
{
    public string Name => "process";

    public TargetDiscoveryDescriptor Descriptor { get; } = new(
        "process",
        "Processes of the local host, from /proc.",
        [TargetKinds.Process],
        """{"type":"object","additionalProperties":false,"properties":{"command":{"type":"string","description":"Only processes with this command name."}}}""");

    public ValueTask<IReadOnlyList<Target>> DiscoverAsync(JsonElement configuration, CancellationToken cancellationToken)
    {
        string? command = null;
        if (configuration.ValueKind == JsonValueKind.Object && configuration.TryGetProperty("command", out var value))
        {
            command = value.GetString();
        }

        var targets = new List<Target>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ||
                ProcStat.Read(pid) is not { } stat || (command is not null && stat.Command != command))
            {
                continue;
            }

            targets.Add(new Target(
                TargetKinds.Process,
                pid.ToString(CultureInfo.InvariantCulture),
                new Dictionary<string, string> { ["command"] = stat.Command },
                new Dictionary<string, string> { ["startTime"] = stat.StartTime.ToString(CultureInfo.InvariantCulture) }));
        }

        return ValueTask.FromResult<IReadOnlyList<Target>>(targets);
    }
}
