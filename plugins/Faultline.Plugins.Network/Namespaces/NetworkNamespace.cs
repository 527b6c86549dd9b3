using System.Runtime.InteropServices;

namespace Faultline.Plugins.Network.Namespaces;

/// <summary>
/// A network namespace by path: <c>/run/netns/NAME</c> for a named one (<c>ip netns add</c>), or
/// <c>/proc/PID/ns/net</c> for a process's. Work that must happen inside it (opening a socket, a netlink
/// socket for NFQUEUE) runs on a dedicated thread that joined it with <c>setns</c>: a socket belongs to the
/// namespace it was created in for its whole life, whatever thread uses it later, so the rest of the process
/// stays in its own namespace.
/// </summary>
public sealed partial record NetworkNamespace(string Path)
{
    private const int CloneNewNet = 0x40000000;

    /// <summary>The namespace of this process (no switch needed).</summary>
    public static NetworkNamespace Current { get; } = new("/proc/self/ns/net");

    public static NetworkNamespace Named(string name) => new($"/run/netns/{name}");

    public static NetworkNamespace OfProcess(int pid) => new($"/proc/{pid}/ns/net");

    public bool Exists => File.Exists(Path);

    /// <summary>Runs <paramref name="work"/> on a fresh thread inside this namespace and returns its result.</summary>
    public Task<T> RunAsync<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Enter();
                result.SetResult(work());
            }
#pragma warning disable CA1031 // Handed to the caller through the task.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                result.SetException(exception);
            }
        })
        {
            IsBackground = true,
            Name = $"netns {Path}",
        };
        thread.Start();
        return result.Task;
    }

    /// <summary>Moves the calling thread into this namespace, for a thread that will live there (a packet loop).</summary>
    public void Enter()
    {
        if (Path == Current.Path)
        {
            return;
        }

        using var handle = File.OpenHandle(Path, FileMode.Open, FileAccess.Read);
        if (SetNs(handle.DangerousGetHandle().ToInt32(), CloneNewNet) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"setns({Path}) failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}); entering a network namespace needs root (CAP_SYS_ADMIN).");
        }
    }

    public override string ToString() => Path;

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);
}
