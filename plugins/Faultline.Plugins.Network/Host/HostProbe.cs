using System.Globalization;
using Faultline.Plugins.Network.Engines;
using Faultline.Plugins.Network.Namespaces;

namespace Faultline.Plugins.Network.Host;

/// <summary>
/// Finds out once per host which engines work, by trying each for real in a throwaway network namespace
/// (never on a live interface): a netem qdisc, a tbf qdisc, an nftables table, an iptables NFQUEUE rule.
/// A kernel without a feature answers "unknown qdisc kind" or similar, and that is the answer.
/// </summary>
public sealed class HostProbe(HostCommands commands) : IDisposable
{
    private readonly SemaphoreSlim _once = new(1, 1);
    private HostCapabilities? _capabilities;

    public async Task<HostCapabilities> CapabilitiesAsync(CancellationToken cancellationToken)
    {
        if (_capabilities is { } known)
        {
            return known;
        }

        await _once.WaitAsync(cancellationToken);
        try
        {
            return _capabilities ??= await ProbeAsync(cancellationToken);
        }
        finally
        {
            _once.Release();
        }
    }

    public void Dispose() => _once.Dispose();

    private async Task<HostCapabilities> ProbeAsync(CancellationToken cancellationToken)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"faultline-probe-{Environment.ProcessId}-{Random.Shared.Next(100_000)}");
        var host = NetworkNamespace.Current;
        var created = await commands.RunAsync(host, "ip", ["netns", "add", name], cancellationToken);
        if (!created.Succeeded)
        {
            return HostCapabilities.None($"cannot create a scratch network namespace ({created}); network faults need root and iproute2");
        }

        var ns = NetworkNamespace.Named(name);
        var evidence = new List<string>();
        try
        {
            await commands.RunAsync(ns, "ip", ["link", "set", "lo", "up"], cancellationToken);
            var netem = await TryAsync(ns, ["tc qdisc add dev lo root handle fa17: netem delay 1ms"], "tc qdisc del dev lo root", evidence, cancellationToken);
            var tbf = await TryAsync(ns, ["tc qdisc add dev lo root handle fa17: tbf rate 1mbit burst 32kbit latency 400ms"], "tc qdisc del dev lo root", evidence, cancellationToken);

            // The shape a destination-filtered fault takes (TcLayout): a prio root and a u32 filter into its extra band.
            var filters = await TryAsync(
                ns,
                [$"tc {string.Join(' ', TcLayout.RootArguments("lo"))}", "tc filter add dev lo parent fa17: protocol ip pref 1 u32 match ip dst 127.0.0.1/32 flowid fa17:4"],
                "tc qdisc del dev lo root",
                evidence,
                cancellationToken);
            var nft = await TryAsync(ns, ["nft add table inet faultline_probe"], "nft delete table inet faultline_probe", evidence, cancellationToken);
            var nfqueue = await TryAsync(
                ns, ["iptables -t mangle -A OUTPUT -o lo -j NFQUEUE --queue-num 65000 --queue-bypass"], "iptables -t mangle -F OUTPUT", evidence, cancellationToken);
            return new HostCapabilities(netem, tbf, nft, nfqueue, filters, evidence);
        }
        finally
        {
            await commands.RunAsync(host, "ip", ["netns", "delete", name], CancellationToken.None);
        }
    }

    /// <summary>Runs <paramref name="adds"/> in order until one fails; when all succeed, undoes them. True when all succeeded.</summary>
    private async Task<bool> TryAsync(NetworkNamespace ns, IReadOnlyList<string> adds, string undo, List<string> evidence, CancellationToken cancellationToken)
    {
        var succeeded = 0;
        foreach (var add in adds)
        {
            var words = HostCommands.Words(add);
            CommandResult result;
            try
            {
                result = await commands.RunAsync(ns, words[0], words[1..], cancellationToken);
            }
            catch (NetworkCommandException exception)
            {
                evidence.Add($"{add}: {exception.Message}");
                break;
            }

            evidence.Add(result.Succeeded ? $"{add}: ok" : result.ToString());
            if (!result.Succeeded)
            {
                break;
            }

            succeeded++;
        }

        if (succeeded > 0)
        {
            // The namespace is thrown away anyway; undoing keeps the next attempt (same handle) independent.
            var words = HostCommands.Words(undo);
            await commands.RunAsync(ns, words[0], words[1..], cancellationToken);
        }

        return succeeded == adds.Count;
    }
}
