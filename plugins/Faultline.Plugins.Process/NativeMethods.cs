using System.Runtime.InteropServices;

namespace Faultline.Plugins.Process;

/// <summary>POSIX signals: .NET can only SIGKILL a process, and pausing needs SIGSTOP/SIGCONT.</summary>
internal static partial class NativeMethods
{
    public const int SignalContinue = 18;
    public const int SignalStop = 19;
    public const int SignalKill = 9;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static extern int Kill(int pid, int signal);
}
