namespace Faultline.Plugins.Network.Engines;

/// <summary>
/// Faultline's tc objects on one interface, read from <c>tc qdisc show</c>. Unfiltered, a fault is one root qdisc
/// (netem or tbf) with handle <c>fa17:</c>. Filtered, as Chaos Mesh does it: a root <c>prio</c> qdisc
/// <c>fa17:</c> with four bands whose priority map uses only the first three (so unmatched traffic is scheduled as
/// pfifo_fast would), netem or tbf <c>fa18:</c> on the fourth band <c>fa17:4</c>, and u32 filters
/// (<see cref="TcFilter"/>) sending the matched traffic there. Both handles are Faultline's marks: every object
/// of a fault hangs off <c>fa17:</c>, so deleting that root removes exactly the fault, filters included.
/// </summary>
public sealed record TcLayout(string? RootLine, string? RootKind, string? ChildLine, string? ChildKind)
{
    public const string RootHandle = EngineState.QdiscHandle;
    public const string ChildHandle = "fa18:";

    /// <summary>The prio class of the fourth band, which only the filters fill.</summary>
    public const string Band = "fa17:4";

    public const string Bands = "4";

    /// <summary>pfifo_fast's priority map: TOS priorities to bands 0-2, never to the fault's band (3, class :4).</summary>
    private static readonly string[] Priomap = ["1", "2", "2", "2", "1", "2", "0", "0", "1", "1", "1", "1", "1", "1", "1", "1"];

    public static IReadOnlyList<string> RootArguments(string device) =>
        ["qdisc", "add", "dev", device, "root", "handle", RootHandle, "prio", "bands", Bands, "priomap", .. Priomap];

    public static IReadOnlyList<string> ChildArguments(string device, string kind, IEnumerable<string> options) =>
        ["qdisc", "add", "dev", device, "parent", Band, "handle", ChildHandle, kind, .. options];

    /// <summary>Whether an interface carries anything under Faultline's root handle.</summary>
    public bool HasRoot => RootLine is not null;

    /// <summary>
    /// netem or tbf: whose fault this is (the root's kind, or under a prio root its child's); null for a prio root
    /// without a netem or tbf child, as an inject interrupted between its commands can leave.
    /// </summary>
    public string? FaultKind => RootKind == "prio" ? ChildKind is "netem" or "tbf" ? ChildKind : null : RootKind;

    public static TcLayout Parse(string qdiscShow)
    {
        ArgumentNullException.ThrowIfNull(qdiscShow);
        var lines = qdiscShow.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        // "qdisc prio fa17: root refcnt 3 bands 4 priomap ..." and "qdisc netem fa18: parent fa17:4 limit 1000 delay 200ms".
        var root = lines.FirstOrDefault(line => Words(line) is ["qdisc", _, RootHandle, "root", ..]);
        var child = root is null ? null : lines.FirstOrDefault(line => Words(line) is ["qdisc", _, ChildHandle, "parent", Band, ..]);
        return new TcLayout(root, root is null ? null : Words(root)[1], child, child is null ? null : Words(child)[1]);
    }

    /// <summary>The root is the filtered shape: a prio with the fault's extra band.</summary>
    public bool HasFilteredRoot => RootKind == "prio" && RootLine is { } line && line.Contains($" bands {Bands} ", StringComparison.Ordinal);

    private static string[] Words(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
