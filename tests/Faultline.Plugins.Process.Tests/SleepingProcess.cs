using System.Diagnostics;
using System.Globalization;
using Faultline.Sdk.Targets;

namespace Faultline.Plugins.Process.Tests;

/// <summary>A real process to pause: `sleep`, started by the test and killed afterwards.</summary>
internal sealed class SleepingProcess : IDisposable
{
    private readonly System.Diagnostics.Process _process;

    public SleepingProcess()
    {
        _process = System.Diagnostics.Process.Start(new ProcessStartInfo("sleep", "300") { UseShellExecute = false })!;
    }

    public int Pid => _process.Id;

    public Target Target => Target.Of(TargetKinds.Process, Pid.ToString(CultureInfo.InvariantCulture));

    /// <summary>The process state letter from /proc (R, S, T...).</summary>
    public char State => File.ReadAllText($"/proc/{Pid}/stat").Split(')')[^1].Trim()[0];

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
