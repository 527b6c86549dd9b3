using System.Globalization;
using Faultline.Plugins.Network.Actions;
using Faultline.Plugins.Network.Host;
using Faultline.Plugins.Network.Targets;

namespace Faultline.Plugins.Network.Engines;

/// <summary>
/// Faultline's qdiscs on the interface (<see cref="TcLayout"/>): netem for delay, loss, duplication, corruption and
/// reordering, tbf for bandwidth; as the root qdisc <c>fa17:</c>, or with destination filters under a root prio
/// <c>fa17:</c> behind u32 filters. One root per interface, so two such faults on one interface (filtered or not)
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
        var options = kind == EngineKind.Netem ? NetemArguments(parameters) : TbfArguments(parameters);

        // Checked first, so that whatever is under fa17: after a failure halfway is this call's own to remove, never another's.
        var before = await LayoutAsync(state, cancellationToken);
        if (before?.HasRoot == true)
        {
            throw new InterfaceTakenException(
                $"{state.Key()} already carries a Faultline qdisc {TcLayout.RootHandle} ({before.RootLine}); another fault or a leftover holds the interface's root. Roll it back (or list leftovers) first.");
        }

        try
        {
            if (state.Filters is not { Count: > 0 } filters)
            {
                var root = await commands.RunCheckedAsync(state.NetworkNamespace, "tc", ["qdisc", "add", "dev", state.Interface, "root", "handle", TcLayout.RootHandle, QdiscKind, .. options], cancellationToken);
                return root.CommandLine;
            }

            var prio = await commands.RunCheckedAsync(state.NetworkNamespace, "tc", TcLayout.RootArguments(state.Interface), cancellationToken);

            // The child and all filters in one tc process: a fault with many destinations and ports needs no process each.
            var batch = HostCommands.Join(
                [string.Join(' ', TcLayout.ChildArguments(state.Interface, QdiscKind, options)), .. filters.Select(filter => string.Join(' ', ["filter", "add", "dev", state.Interface, .. filter.Arguments(TcLayout.Band)]))]);
            var added = await commands.RunCheckedAsync(state.NetworkNamespace, "tc", ["-batch", "-"], cancellationToken, batch);
            return $"{prio.CommandLine}\n{added.CommandLine} <<\n{batch}";
        }
        catch (Exception failure)
        {
            // Half a fault (a prio without its netem, some filters) must not stay: everything hangs off fa17:, which
            // was free before, so whatever is there now is this call's.
            try
            {
                if ((await LayoutAsync(state, CancellationToken.None))?.HasRoot == true)
                {
                    await DeleteRootAsync(state, CancellationToken.None);
                }
            }
            catch (Exception cleanup) when (cleanup is NetworkCommandException or IOException)
            {
                throw new NetworkCommandException(
                    $"{failure.Message}; removing what was added failed too ({cleanup.Message}): the journal keeps the fault for leftover detection.", failure);
            }

            throw;
        }
    }

    public async Task<(bool Present, string Evidence)> InspectAsync(EngineState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var (present, _, evidence) = await ExamineAsync(state, cancellationToken);
        return (present, evidence);
    }

    public async Task<(bool InEffect, string Evidence)> InEffectAsync(EngineState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var (_, complete, evidence) = await ExamineAsync(state, cancellationToken);
        return (complete, evidence);
    }

    public async Task<(bool Removed, string Evidence)> RemoveAsync(EngineState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var (present, evidence) = await InspectAsync(state, cancellationToken);
        if (!present)
        {
            return (false, evidence);
        }

        return (true, await DeleteRootAsync(state, cancellationToken));
    }

    /// <summary>Deleting the root deletes the qdiscs of its bands and the filters attached to it with it.</summary>
    private async Task<string> DeleteRootAsync(EngineState state, CancellationToken cancellationToken) =>
        (await commands.RunCheckedAsync(state.NetworkNamespace, "tc", ["qdisc", "del", "dev", state.Interface, "root", "handle", TcLayout.RootHandle], cancellationToken)).CommandLine;

    public async Task<IReadOnlyList<EngineState>> FindAsync(NetworkTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var shown = await commands.RunAsync(target.Namespace, "tc", ["qdisc", "show", "dev", target.Interface], cancellationToken);
        if (!shown.Succeeded || !Owns(TcLayout.Parse(shown.Output)))
        {
            return [];
        }

        var journaled = journal.All().Where(s => s.Engine == kind && s.Namespace == target.Namespace.Path && s.Interface == target.Interface).ToList();
        return journaled.Count > 0
            ? journaled
            : [new EngineState($"unjournaled-{QdiscKind}-{target.Interface}", kind, kind == EngineKind.Netem ? NetworkAction.Delay : NetworkAction.Bandwidth, Direction.To,
                target.Namespace.Path, target.NamespaceLabel, target.Interface)];
    }

    /// <summary>
    /// Whether this engine answers for what is under fa17:: the tbf engine for a tbf (at the root or in the band),
    /// the netem engine for everything else there; both for a prio left without its child by an interrupted
    /// inject, so that either fault's rollback removes it and leftover detection finds it.
    /// </summary>
    private bool Owns(TcLayout layout) =>
        layout.HasRoot && (kind == EngineKind.Netem
            ? layout.FaultKind != "tbf"
            : layout.FaultKind == "tbf" || (layout.RootKind == "prio" && layout.FaultKind is null));

    private async Task<TcLayout?> LayoutAsync(EngineState state, CancellationToken cancellationToken)
    {
        var shown = await commands.RunAsync(state.NetworkNamespace, "tc", ["qdisc", "show", "dev", state.Interface], cancellationToken);
        return shown.Succeeded ? TcLayout.Parse(shown.Output) : null;
    }

    /// <summary>Whether anything of the fault is there (for removal) and whether all of it is (for verification).</summary>
    private async Task<(bool Present, bool Complete, string Evidence)> ExamineAsync(EngineState state, CancellationToken cancellationToken)
    {
        var shown = await commands.RunAsync(state.NetworkNamespace, "tc", ["qdisc", "show", "dev", state.Interface], cancellationToken);
        if (!shown.Succeeded)
        {
            return (false, false, $"interface {state.Interface} not found in {state.NamespaceLabel}: {shown.Error.Trim()}");
        }

        var layout = TcLayout.Parse(shown.Output);
        if (!Owns(layout))
        {
            return (false, false, $"no {QdiscKind} qdisc {TcLayout.RootHandle} on {state.Key()}: {OneLine(shown.Output)}");
        }

        if (state.Filters is not { Count: > 0 } filters)
        {
            var whole = layout.RootKind == QdiscKind;
            return (true, whole, whole ? $"{layout.RootLine} on {state.Key()}" : $"{layout.RootLine} on {state.Key()}, not the {QdiscKind} root this fault applied");
        }

        var listed = await commands.RunAsync(state.NetworkNamespace, "tc", ["filter", "show", "dev", state.Interface, "parent", TcLayout.RootHandle], cancellationToken);
        var entries = listed.Succeeded ? TcFilterEntry.Parse(listed.Output) : [];
        var missing = filters.Where(filter => !entries.Any(entry => entry.Is(filter, TcLayout.Band))).ToList();
        var complete = layout.HasFilteredRoot && layout.ChildKind == QdiscKind && missing.Count == 0;
        var evidence = $"{layout.RootLine}; {layout.ChildLine ?? $"no {QdiscKind} {TcLayout.ChildHandle} on band {TcLayout.Band}"}; "
            + $"{filters.Count - missing.Count} of {filters.Count} u32 filter(s) to {TcLayout.Band} ({string.Join("; ", filters)})"
            + (missing.Count > 0 ? $", missing: {string.Join("; ", missing)}" : "")
            + $" on {state.Key()}";
        return (true, complete, evidence);
    }

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
