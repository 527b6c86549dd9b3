namespace Faultline.Plugins.Network.Actions;

/// <summary>The network faults, one injector each (<c>network.delay</c>, <c>network.loss</c>...).</summary>
public enum NetworkAction
{
    Delay,
    Loss,
    Duplicate,
    Corrupt,
    Reorder,
    Bandwidth,
    Partition,
}

public static class NetworkActions
{
    public static IReadOnlyList<NetworkAction> All { get; } = Enum.GetValues<NetworkAction>();

    public static string InjectorName(NetworkAction action) => $"network.{Name(action)}";

    public static string Name(NetworkAction action) => action.ToString().ToLowerInvariant();
}
