using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Faultline.Plugins.Network.Actions;
using Faultline.Plugins.Network.Host;
using Faultline.Plugins.Network.Targets;

namespace Faultline.Plugins.Network.Engines;

/// <summary>
/// Delay and jitter where the kernel has no netem: iptables rules (mangle table, commented with the fault id)
/// send the target's packets to an NFQUEUE queue, and a delayer in this process releases each packet after its
/// delay. The delayer lives as long as the fault in this process; if the process dies, the rules stay but let
/// packets through (queue bypass), and rollback or leftover detection removes them by their comment.
/// </summary>
public sealed partial class NfQueueEngine(HostCommands commands, IPacketDelayer delayer) : INetworkEngine, IAsyncDisposable
{
    private const int FirstQueue = 10_000;
    private const int QueueSpan = 50_000;

    private readonly ConcurrentDictionary<string, IAsyncDisposable> _running = new(StringComparer.Ordinal);

    public EngineKind Kind => EngineKind.NfQueue;

    /// <summary>Whether this process is delaying the fault's packets right now.</summary>
    public bool IsDelaying(string faultId) => _running.ContainsKey(faultId);

    public async Task<string> ApplyAsync(EngineState state, NetworkParameters parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(parameters);
        var queue = state.Queue ?? throw new InvalidOperationException("An NFQUEUE fault needs its queue number in its state.");

        // The delayer first: rules without a listener would only bypass, but rules before the delayer would race it.
        var running = await delayer.StartAsync(state.NetworkNamespace, (ushort)queue, parameters.Latency, parameters.Jitter, parameters.Correlation, cancellationToken);
        _running[state.FaultId] = running;
        var applied = new List<string>();
        try
        {
            foreach (var rule in state.Rules ?? [])
            {
                var (program, arguments) = Split(rule, "-A");
                applied.Add((await commands.RunCheckedAsync(state.NetworkNamespace, program, arguments, cancellationToken)).CommandLine);
            }
        }
        catch
        {
            await RemoveAsync(state, CancellationToken.None);
            throw;
        }

        return string.Join('\n', applied);
    }

    public async Task<(bool Present, string Evidence)> InspectAsync(EngineState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var lines = await RuleLinesAsync(state.NetworkNamespace, cancellationToken);
        var ours = lines.Where(line => IsOf(line, state)).ToList();
        var delaying = IsDelaying(state.FaultId) ? "delayer running in this process" : "no delayer in this process (packets bypass the queue)";
        return ours.Count > 0
            ? (true, $"{ours.Count} NFQUEUE rule(s) {state.Comment} in {state.NamespaceLabel}, queue {state.Queue}; {delaying}")
            : (false, $"no NFQUEUE rule {state.Comment} in {state.NamespaceLabel}; {delaying}");
    }

    public async Task<(bool Removed, string Evidence)> RemoveAsync(EngineState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var removed = new List<string>();
        var lines = await RuleLinesAsync(state.NetworkNamespace, cancellationToken);
        foreach (var line in lines.Where(line => IsOf(line, state)))
        {
            // iptables-save prints "-A CHAIN spec"; deleting by the same spec removes exactly that rule.
            var (program, arguments) = Split(line, "-D");
            removed.Add((await commands.RunCheckedAsync(state.NetworkNamespace, program, arguments, cancellationToken)).CommandLine);
        }

        if (_running.TryRemove(state.FaultId, out var running))
        {
            await running.DisposeAsync();
            removed.Add($"stopped the delayer of queue {state.Queue}");
        }

        return removed.Count > 0 ? (true, string.Join("; ", removed)) : (false, $"no NFQUEUE rule {state.Comment} and no delayer");
    }

    public async Task<IReadOnlyList<EngineState>> FindAsync(NetworkTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var lines = await RuleLinesAsync(target.Namespace, cancellationToken);
        return [.. lines
            .Select(line => Comment().Match(line))
            .Where(match => match.Success)
            .Select(match => match.Groups["id"].Value)
            .Distinct(StringComparer.Ordinal)
            .Select(id => new EngineState(id, EngineKind.NfQueue, NetworkAction.Delay, Direction.To, target.Namespace.Path, target.NamespaceLabel, target.Interface))];
    }

    /// <summary>A queue number for the fault, spread by its id; the caller tries the next on a clash.</summary>
    public static int QueueFor(string faultId, int attempt)
    {
        ArgumentNullException.ThrowIfNull(faultId);
        var hash = 0u;
        foreach (var c in faultId)
        {
            hash = (hash * 31) + c;
        }

        return FirstQueue + (int)((hash + (uint)attempt) % QueueSpan);
    }

    /// <summary>The iptables rules (as "iptables|-A CHAIN spec") that send the fault's traffic to its queue.</summary>
    public static IReadOnlyList<string> RulesFor(EngineState state, NetworkParameters p)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(p);
        var rules = new List<string>();
        foreach (var outgoing in new[] { true, false })
        {
            if ((outgoing && p.Direction == Direction.From) || (!outgoing && p.Direction == Direction.To))
            {
                continue;
            }

            var chain = outgoing ? "POSTROUTING -o" : "PREROUTING -i";
            var families = p.Destinations.Count == 0
                ? [("iptables", ""), ("ip6tables", "")]
                : p.Destinations.GroupBy(d => d.BaseAddress.AddressFamily).Select(group => (
                    group.Key == AddressFamily.InterNetwork ? "iptables" : "ip6tables",
                    $" {(outgoing ? "-d" : "-s")} {string.Join(',', group.Select(n => n.ToString()))}")).ToList();
            foreach (var (program, addresses) in families)
            {
                var protocols = p.Ports.Count == 0 ? [""] : new[] { " -p tcp", " -p udp" };
                foreach (var protocol in protocols)
                {
                    var ports = p.Ports.Count == 0 ? "" : $" -m multiport {(outgoing ? "--dports" : "--sports")} {string.Join(',', p.Ports)}";
                    rules.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{program}|-t mangle -A {chain} {state.Interface}{addresses}{protocol}{ports} -m comment --comment {state.Comment} -j NFQUEUE --queue-num {state.Queue} --queue-bypass"));
                }
            }
        }

        return rules;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var running in _running.Values)
        {
            await running.DisposeAsync();
        }

        _running.Clear();
    }

    private async Task<List<string>> RuleLinesAsync(Namespaces.NetworkNamespace ns, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        foreach (var program in new[] { "iptables", "ip6tables" })
        {
            var saved = await commands.RunAsync(ns, $"{program}-save", ["-t", "mangle"], cancellationToken);
            if (saved.Succeeded)
            {
                lines.AddRange(saved.Output.Split('\n').Where(line => line.StartsWith("-A ", StringComparison.Ordinal) && Comment().IsMatch(line))
                    .Select(line => $"{program}|-t mangle {line}"));
            }
        }

        return lines;
    }

    // "iptables|-t mangle -A CHAIN spec" → iptables with the arguments, -A swapped for the wanted operation.
    private static (string Program, string[] Arguments) Split(string rule, string operation)
    {
        var bar = rule.IndexOf('|', StringComparison.Ordinal);
        // iptables-save quotes comments ("faultline:…"); the quotes are its syntax, not part of the value.
        var arguments = HostCommands.Words(rule[(bar + 1)..]).Select(word => word.Trim('"')).ToArray();
        for (var i = 0; i < arguments.Length; i++)
        {
            if (arguments[i] is "-A" or "-D")
            {
                arguments[i] = operation;
                break;
            }
        }

        return (rule[..bar], arguments);
    }

    // The comment exactly, quoted (as iptables-save prints it) or not: a fault id that prefixes another never matches it.
    private static bool IsOf(string line, EngineState state) =>
        line.Contains($"--comment \"{state.Comment}\"", StringComparison.Ordinal) || line.Contains($"--comment {state.Comment} ", StringComparison.Ordinal);

    [GeneratedRegex("--comment \"?faultline:(?<id>[A-Za-z0-9._-]+)")]
    private static partial Regex Comment();
}
