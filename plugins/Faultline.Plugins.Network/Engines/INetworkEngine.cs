using Faultline.Plugins.Network.Targets;

namespace Faultline.Plugins.Network.Engines;

/// <summary>One way of making network faults. Every method is safe to call again and from a fresh process.</summary>
public interface INetworkEngine
{
    EngineKind Kind { get; }

    /// <summary>Applies the fault described by <paramref name="state"/>; returns the commands run, for the evidence.</summary>
    Task<string> ApplyAsync(EngineState state, Actions.NetworkParameters parameters, CancellationToken cancellationToken);

    /// <summary>Whether any of the fault's marks are in place (and, for a userspace engine, its worker alive), with the evidence.</summary>
    Task<(bool Present, string Evidence)> InspectAsync(EngineState state, CancellationToken cancellationToken);

    /// <summary>
    /// Whether the fault is in effect as applied, with the evidence. Where a fault is one mark this is
    /// <see cref="InspectAsync"/>; a fault of several parts (a prio, its netem, its filters) is in effect only whole,
    /// while any part left is still present for removal.
    /// </summary>
    Task<(bool InEffect, string Evidence)> InEffectAsync(EngineState state, CancellationToken cancellationToken) => InspectAsync(state, cancellationToken);

    /// <summary>Removes exactly this fault's marks; false when nothing of it was there.</summary>
    Task<(bool Removed, string Evidence)> RemoveAsync(EngineState state, CancellationToken cancellationToken);

    /// <summary>Marks of Faultline faults of this engine on the target, with the fault id where it can be read.</summary>
    Task<IReadOnlyList<EngineState>> FindAsync(NetworkTarget target, CancellationToken cancellationToken);
}
