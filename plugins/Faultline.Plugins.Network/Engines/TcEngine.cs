using System.Globalization;
using Faultline.Plugins.Network.Actions;
using Faultline.Plugins.Network.Host;
using Faultline.Plugins.Network.Targets;

namespace Faultline.Plugins.Network.Engines;

/// <summary>
/// A root qdisc of Faultline's on the interface (handle <c>fa17:</c>): netem for delay, loss, duplication,
/// corruption and reordering, tbf for bandwidth. One root per interface, so two such faults on one interface
/// are refused by their shared claim rather than stacked. tc cannot carry a comment, so the fault id of a qdisc
/// found after a crash comes from the plugin's journal.
/// </summary>
public sealed class TcEngine(EngineKind kind, HostCommands commands, FaultJournal journal) : INetworkEngine
{
    public EngineKind Kind => kind;

    private string QdiscKind => kind == EngineKind.Netem ? "netem" : "tbf";

    public async Task<string> ApplyAsync(EngineState state, NetworkParameters parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(parameters);
        var arguments = new List<string> { "qdisc", "add", "dev", state.Interface, "root", "handle", EngineState.QdiscHandle, QdiscKind };
        arguments.AddRange(kind == EngineKind.Netem ? NetemArguments(parameters) : TbfArguments(parameters));
        var result = await commands.RunCheckedAsync(state.NetworkNamespace, "tc", arguments, cancellationToken);
        return result.CommandLine;
    }

    public async Task<(bool Present, string Evidence)> InspectAsync(EngineState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var shown = await commands.RunAsync(state.NetworkNamespace, "tc", ["qdisc", "show", "dev", state.Interface], cancellationToken);
        if (!shown.Succeeded)
        {
            return (false, $"interface {state.Interface} not found in {state.NamespaceLabel}: {shown.Error.Trim()}");
        }

        var line = Ours(shown.Output);
        return line is null
            ? (false, $"no {QdiscKind} qdisc {EngineState.QdiscHandle} on {state.Key()}: {OneLine(shown.Output)}")
            : (true, $"{line.Trim()} on {state.Key()}");
    }

    public async Task<(bool Removed, string Evidence)> RemoveAsync(EngineState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var (present, evidence) = await InspectAsync(state, cancellationToken);
        if (!present)
        {
            return (false, evidence);
        }

        var deleted = await commands.RunCheckedAsync(state.NetworkNamespace, "tc", ["qdisc", "del", "dev", state.Interface, "root", "handle", EngineState.QdiscHandle], cancellationToken);
        return (true, deleted.CommandLine);
    }

    public async Task<IReadOnlyList<EngineState>> FindAsync(NetworkTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var shown = await commands.RunAsync(target.Namespace, "tc", ["qdisc", "show", "dev", target.Interface], cancellationToken);
        if (!shown.Succeeded || Ours(shown.Output) is null)
        {
            return [];
        }

        var journaled = journal.All().Where(s => s.Engine == kind && s.Namespace == target.Namespace.Path && s.Interface == target.Interface).ToList();
        return journaled.Count > 0
            ? journaled
            : [new EngineState($"unjournaled-{QdiscKind}-{target.Interface}", kind, kind == EngineKind.Netem ? NetworkAction.Delay : NetworkAction.Bandwidth, Direction.To,
                target.Namespace.Path, target.NamespaceLabel, target.Interface)];
    }

    private string? Ours(string output) =>
        output.Split('\n').FirstOrDefault(line => line.StartsWith($"qdisc {QdiscKind} {EngineState.QdiscHandle}", StringComparison.Ordinal) && line.Contains(" root", StringComparison.Ordinal));

    public static IReadOnlyList<string> NetemArguments(NetworkParameters p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var args = new List<string>();
        switch (p.Action)
        {
            case NetworkAction.Delay:
                args.AddRange(["delay", Ms(p.Latency), Ms(p.Jitter), Percent(p.Correlation)]);
                if (p.Reorder is { } reorder)
                {
                    args.AddRange(["reorder", Percent(reorder.Percent), Percent(reorder.Correlation)]);
                    if (reorder.Gap > 0)
                    {
                        args.AddRange(["gap", reorder.Gap.ToString(CultureInfo.InvariantCulture)]);
                    }
                }

                break;
            case NetworkAction.Reorder:
                args.AddRange(["delay", Ms(p.Latency), "reorder", Percent(p.Reorder!.Percent), Percent(p.Reorder.Correlation)]);
                if (p.Reorder.Gap > 0)
                {
                    args.AddRange(["gap", p.Reorder.Gap.ToString(CultureInfo.InvariantCulture)]);
                }

                break;
            case NetworkAction.Loss:
                args.AddRange(["loss", "random", Percent(p.Percent), Percent(p.Correlation)]);
                break;
            case NetworkAction.Duplicate:
                args.AddRange(["duplicate", Percent(p.Percent), Percent(p.Correlation)]);
                break;
            case NetworkAction.Corrupt:
                args.AddRange(["corrupt", Percent(p.Percent), Percent(p.Correlation)]);
                break;
            default:
                throw new InvalidOperationException($"netem does not do {p.Action}.");
        }

        return args;
    }

    public static IReadOnlyList<string> TbfArguments(NetworkParameters p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return
        [
            "rate", (p.RateBytesPerSecond * 8).ToString(CultureInfo.InvariantCulture) + "bit",
            "burst", p.BurstBytes.ToString(CultureInfo.InvariantCulture),
            "limit", p.LimitBytes.ToString(CultureInfo.InvariantCulture),
        ];
    }

    private static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + "ms";

    private static string Percent(double value) => value.ToString("0.###", CultureInfo.InvariantCulture) + "%";

    private static string OneLine(string text) => string.Join("; ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
