using System.Globalization;
using Faultline.Plugins.Network.Namespaces;
using Faultline.Sdk.Targets;

namespace Faultline.Plugins.Network.Targets;

/// <summary>
/// Where a network fault lands: an interface in a network namespace. A <c>network-interface</c> target's id is
/// <c>NAMESPACE/INTERFACE</c>, where NAMESPACE is a name from <c>ip netns</c>, <c>pid:1234</c> for a process's
/// namespace, or <c>host</c>; any other target (a pod or host from the static inventory) names them in its
/// attributes <c>netns</c> and <c>interface</c>. The fault's own <c>interface</c> parameter wins over both.
/// </summary>
public sealed record NetworkTarget(NetworkNamespace Namespace, string NamespaceLabel, string Interface)
{
    public const string NamespaceAttribute = "netns";
    public const string InterfaceAttribute = "interface";

    public static IReadOnlyList<string> Kinds { get; } = [TargetKinds.NetworkInterface, TargetKinds.Pod, TargetKinds.Host, TargetKinds.Container];

    /// <summary>A stable text for claims and evidence: the namespace label and the interface.</summary>
    public string Key => $"{NamespaceLabel}/{Interface}";

    public static NetworkTarget? Resolve(Target target, string? interfaceOverride, out string? error)
    {
        ArgumentNullException.ThrowIfNull(target);
        error = null;
        string? ns = target.Attribute(NamespaceAttribute);
        string? iface = target.Attribute(InterfaceAttribute);
        if (string.Equals(target.Kind, TargetKinds.NetworkInterface, StringComparison.Ordinal))
        {
            var slash = target.Id.LastIndexOf('/');
            if (slash <= 0 || slash == target.Id.Length - 1)
            {
                error = $"a network-interface target is NAMESPACE/INTERFACE (payments/eth0, pid:1234/eth0, host/eth0), not '{target.Id}'.";
                return null;
            }

            ns ??= target.Id[..slash];
            iface ??= target.Id[(slash + 1)..];
        }
        else if (string.Equals(target.Kind, TargetKinds.Host, StringComparison.Ordinal))
        {
            ns ??= "host";
        }

        iface = interfaceOverride ?? iface;
        if (ns is null)
        {
            error = $"{target} names no network namespace: give it the attribute '{NamespaceAttribute}' (in the inventory) or use a network-interface target.";
            return null;
        }

        if (iface is null)
        {
            error = $"{target} names no interface: set the parameter 'interface' or the target's attribute '{InterfaceAttribute}'.";
            return null;
        }

        var resolved = ParseNamespace(ns, out error);
        return resolved is null ? null : new NetworkTarget(resolved, ns, iface);
    }

    private static NetworkNamespace? ParseNamespace(string text, out string? error)
    {
        error = null;
        if (text == "host")
        {
            return NetworkNamespace.Current;
        }

        if (text.StartsWith("pid:", StringComparison.Ordinal))
        {
            if (int.TryParse(text.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0)
            {
                return NetworkNamespace.OfProcess(pid);
            }

            error = $"'{text}' must be pid:<process id>.";
            return null;
        }

        if (text.StartsWith('/'))
        {
            return new NetworkNamespace(text);
        }

        if (text.Length > 200 || text.Any(c => c is '/' or ' ' || char.IsControl(c)))
        {
            error = $"'{text}' is not a network namespace name.";
            return null;
        }

        return NetworkNamespace.Named(text);
    }
}
