using System.Text.Json;
using Faultline.Domain.Experiments;
using Faultline.Engine.Agents;
using Faultline.Engine.Plugins;
using Faultline.Sdk.Targets;

namespace Faultline.Engine.Runs;

/// <summary>
/// Turns a fault's selector into targets: the candidates (listed by the named target discovery, or the
/// explicit ids), filtered by every condition of the selector, then the mode's share of them at random.
/// </summary>
public sealed class TargetResolver(PluginCatalog catalog, IAgentDirectory? agents = null)
{
    private static readonly JsonElement NoConfiguration = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>The discovery name that lists the targets of the organization's connected agents.</summary>
    public const string AgentsDiscovery = "agents";

    public async Task<IReadOnlyList<Target>> CandidatesAsync(TargetSelector selector, CancellationToken cancellationToken, Guid? organizationId = null)
    {
        ArgumentNullException.ThrowIfNull(selector);
        if (selector.Discovery is AgentsDiscovery)
        {
            return Sorted((await ReportedAsync(organizationId, cancellationToken)).Where(target => Matches(selector, target)));
        }

        if (selector.Discovery is { } name)
        {
            var discovery = catalog.FindTargetDiscovery(name)
                ?? throw new TargetResolutionException($"No target discovery named '{name}' is loaded on this node.");
            var discovered = await discovery.DiscoverAsync(NoConfiguration, cancellationToken);
            return [.. discovered.Where(target => Matches(selector, target)).OrderBy(target => target.ToString(), StringComparer.Ordinal)];
        }

        if (selector.Targets.Count == 0)
        {
            // Asked only here: explicit targets and named discoveries need no listing of the agents' targets.
            var reported = await ReportedAsync(organizationId, cancellationToken);
            // A label selector without a named discovery (as every translated Chaos Mesh manifest has) asks every
            // loaded discovery that lists the selector's kinds; each target is judged by the selector all the same.
            var discoveries = catalog.TargetDiscoveries
                .Where(d => selector.Kinds.Count == 0 || selector.Kinds.Any(kind => d.Descriptor.TargetKinds.Contains(kind, StringComparer.OrdinalIgnoreCase)))
                .OrderBy(d => d.Name, StringComparer.Ordinal)
                .ToList();
            if (discoveries.Count == 0 && reported.Count == 0)
            {
                throw new TargetResolutionException("The selector names no targets, and no loaded target discovery lists its kinds: add selector.targets, or install a discovery.");
            }

            // Targets the organization's agents reported count as discovered, whichever discovery found them there.
            var found = new List<Target>(reported.Where(target => Matches(selector, target)));
            foreach (var discovery in discoveries)
            {
                found.AddRange((await discovery.DiscoverAsync(NoConfiguration, cancellationToken)).Where(target => Matches(selector, target)));
            }

            return Sorted(found);
        }

        return [.. selector.Targets.Select(text => Explicit(selector, text))];
    }

    private async Task<IReadOnlyList<Target>> ReportedAsync(Guid? organizationId, CancellationToken cancellationToken) =>
        agents is not null && organizationId is { } org
            ? [.. (await agents.ListTargetsAsync(org, cancellationToken)).Select(agent => agent.Target)]
            : [];

    private static IReadOnlyList<Target> Sorted(IEnumerable<Target> targets) =>
        [.. targets.DistinctBy(target => target.ToString(), StringComparer.Ordinal).OrderBy(target => target.ToString(), StringComparer.Ordinal)];

    /// <summary>The mode's share of <paramref name="candidates"/>, drawn at random (order of the input is irrelevant).</summary>
    public static IReadOnlyList<Target> Select(IReadOnlyList<Target> candidates, SelectionMode mode, Random random)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(mode);
        ArgumentNullException.ThrowIfNull(random);
        var count = mode.CountOf(candidates.Count, random);
        var shuffled = candidates.ToArray();
        random.Shuffle(shuffled);
        return [.. shuffled.Take(count).OrderBy(target => target.ToString(), StringComparer.Ordinal)];
    }

    // An explicit target is "kind/id", or an id whose kind is the selector's only kind. It carries the labels
    // and the namespace the selector states, so policies judge it by what the experiment claims it is.
    private static Target Explicit(TargetSelector selector, string text)
    {
        string kind;
        string id;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && slash < text.Length - 1)
        {
            kind = text[..slash];
            id = text[(slash + 1)..];
        }
        else if (selector.Kinds.Count == 1)
        {
            kind = selector.Kinds[0];
            id = text;
        }
        else
        {
            throw new TargetResolutionException(
                $"The target '{text}' has no kind: write it as kind/id, or give the selector exactly one kind.");
        }

        if (selector.Kinds.Count > 0 && !selector.Kinds.Contains(kind, StringComparer.OrdinalIgnoreCase))
        {
            throw new TargetResolutionException($"The target '{text}' is of kind '{kind}', which the selector's kinds ({string.Join(", ", selector.Kinds)}) exclude.");
        }

        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (selector.Namespaces.Count == 1)
        {
            attributes["namespace"] = selector.Namespaces[0];
        }

        return new Target(kind, id, new Dictionary<string, string>(selector.Labels, StringComparer.Ordinal), attributes);
    }

    private static bool Matches(TargetSelector selector, Target target)
    {
        if (selector.Kinds.Count > 0 && !selector.Kinds.Contains(target.Kind, StringComparer.OrdinalIgnoreCase))
        {
            return false;
        }

        if (selector.Namespaces.Count > 0 && (NamespaceOf(target) is not { } ns || !selector.Namespaces.Contains(ns, StringComparer.Ordinal)))
        {
            return false;
        }

        if (selector.Labels.Any(pair => !target.Labels.TryGetValue(pair.Key, out var value) || !string.Equals(value, pair.Value, StringComparison.Ordinal)))
        {
            return false;
        }

        return selector.Targets.Count == 0
            || selector.Targets.Any(text => string.Equals(text, target.Id, StringComparison.Ordinal) || string.Equals(text, target.ToString(), StringComparison.Ordinal));
    }

    public static string? NamespaceOf(Target target) =>
        target.Attribute("namespace") ?? (target.Labels.TryGetValue("namespace", out var ns) ? ns : null);
}
