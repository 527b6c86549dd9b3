using System.Text.RegularExpressions;
using Faultline.Plugins.Network.Actions;
using Faultline.Plugins.Network.Host;
using Faultline.Plugins.Network.Targets;

namespace Faultline.Plugins.Network.Engines;

/// <summary>
/// Loss, duplication, corruption and partitions as an nftables table of the fault's own. Faults of different
/// runs live in different tables and compose (a packet dropped by either is dropped); removal deletes the one
/// table, nothing else; leftover detection reads the fault id from the table's comment.
/// </summary>
public sealed partial class NftEngine(HostCommands commands) : INetworkEngine
{
    public EngineKind Kind => EngineKind.Nftables;

    public async Task<string> ApplyAsync(EngineState state, NetworkParameters parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var ruleset = NftRules.Ruleset(state, parameters);
        var result = await commands.RunCheckedAsync(state.NetworkNamespace, "nft", ["-f", "-"], cancellationToken, ruleset);
        return $"{result.CommandLine} <<\n{ruleset}";
    }

    public async Task<(bool Present, string Evidence)> InspectAsync(EngineState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var table = state.Table ?? EngineState.TableFor(state.FaultId);
        var listed = await commands.RunAsync(state.NetworkNamespace, "nft", ["list", "table", state.TableFamily, table], cancellationToken);
        return listed.Succeeded
            ? (true, $"nft table {state.TableFamily} {table} in {state.NamespaceLabel} with {listed.Output.Split('\n').Count(line => line.Contains(state.Comment, StringComparison.Ordinal) && !line.TrimStart().StartsWith("comment", StringComparison.Ordinal))} rule(s)")
            : (false, $"no nft table {state.TableFamily} {table} in {state.NamespaceLabel}");
    }

    public async Task<(bool Removed, string Evidence)> RemoveAsync(EngineState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var (present, evidence) = await InspectAsync(state, cancellationToken);
        if (!present)
        {
            return (false, evidence);
        }

        var table = state.Table ?? EngineState.TableFor(state.FaultId);
        var deleted = await commands.RunCheckedAsync(state.NetworkNamespace, "nft", ["delete", "table", state.TableFamily, table], cancellationToken);
        return (true, deleted.CommandLine);
    }

    public async Task<IReadOnlyList<EngineState>> FindAsync(NetworkTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var listed = await commands.RunAsync(target.Namespace, "nft", ["list", "tables"], cancellationToken);
        if (!listed.Succeeded)
        {
            return [];
        }

        var found = new List<EngineState>();
        foreach (Match table in Table().Matches(listed.Output))
        {
            var name = table.Groups["name"].Value;
            var family = table.Groups["family"].Value;
            var content = await commands.RunAsync(target.Namespace, "nft", ["list", "table", family, name], cancellationToken);
            var faultId = FaultComment().Match(content.Output) is { Success: true } comment ? comment.Groups["id"].Value : name;
            found.Add(new EngineState(
                faultId, EngineKind.Nftables, NetworkAction.Partition, Direction.Both, target.Namespace.Path, target.NamespaceLabel, target.Interface, name, Family: family));
        }

        return found;
    }

    [GeneratedRegex(@"^table (?<family>inet|ip) (?<name>faultline_[A-Za-z0-9_]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex Table();

    [GeneratedRegex("comment \"faultline:(?<id>[A-Za-z0-9._-]+)\"")]
    private static partial Regex FaultComment();
}
