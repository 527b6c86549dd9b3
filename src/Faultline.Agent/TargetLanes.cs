using System.Collections.Concurrent;
using Faultline.Sdk.Targets;

namespace Faultline.Agent;

/// <summary>
/// One lane per target: commands for different targets run side by side, those for one target (and the dead-man
/// switch's removals there) one after the other, so a rollback never races the inject it undoes.
/// </summary>
public sealed class TargetLanes
{
    private readonly ConcurrentDictionary<(string Kind, string Id), SemaphoreSlim> _lanes = new();

    public async Task<T> RunAsync<T>(Target target, Func<Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(work);
        var lane = _lanes.GetOrAdd((target.Kind, target.Id), _ => new SemaphoreSlim(1, 1));
        await lane.WaitAsync(cancellationToken);
        try
        {
            return await work();
        }
        finally
        {
            lane.Release();
        }
    }
}
