namespace Faultline.Engine.Plugins;

/// <summary>
/// Runs one call into plugin code with a deadline. The plugin's token is cancelled at the deadline; a plugin
/// that ignores it is abandoned (its task keeps running, but nobody waits for it) so the host never hangs.
/// Everything a plugin throws comes out as a <see cref="PluginCallException"/>.
/// </summary>
internal static class PluginCall
{
    public static async Task<T> RunAsync<T>(string what, TimeSpan timeout, Func<CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        Task<T> task;
        try
        {
            // Task.Run: a plugin that blocks synchronously before its first await must not block the caller.
            task = Task.Run(() => call(deadline.Token).AsTask(), CancellationToken.None);
            return await task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException exception)
        {
            throw new PluginCallException($"{what} did not finish within {timeout.TotalSeconds:0.###} s.", exception) { TimedOut = true };
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PluginCallException($"{what} did not finish within {timeout.TotalSeconds:0.###} s.", exception) { TimedOut = true };
        }
        catch (Exception exception) when (exception is not OperationCanceledException and not PluginCallException)
        {
            throw new PluginCallException($"{what} failed: {exception.GetType().Name}: {exception.Message}", exception);
        }
    }
}
