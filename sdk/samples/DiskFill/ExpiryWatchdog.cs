using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace Acme.Faultline.DiskFill;

/// <summary>
/// The fault's own expiry. A file cannot arm a timer, so a detached shell (its own session, so a signal to
/// Faultline's process group does not reach it) sleeps until the fault's deadline and deletes the fill file,
/// whatever happened to Faultline meanwhile: a crash, a lost node, a kill -9.
/// The watchdog carries the file's path, and with it the fault id, on its command line. That is how a rollback
/// finds and stops it from any process with nothing but the handle, and never mistakes another process for it
/// (a stored pid could have been reused by then).
/// </summary>
internal static class ExpiryWatchdog
{
    // The path and the delay are arguments ($0, $1), never spliced into the script, so no file name can inject shell code.
    private const string Script = "sleep \"$1\"; rm -f -- \"$0\"";

    public static void Start(string path, TimeSpan after)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

        // Every standard stream redirected: the watchdog must not hold the host's stdout or stderr open (a caller
        // reading them to the end would wait for the fault to expire).
        var startInfo = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "sh", "-c", Script, path, seconds })
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var watchdog = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start the expiry watchdog.");

        // Until setsid has exec'd the shell, the child still shows the host's command line, and a stop that
        // looks for the path would miss it. Return only once the watchdog can be found the way it is stopped.
        var deadline = Environment.TickCount64 + 2000;
        while (!Find(path).Contains(watchdog.Id) && !watchdog.HasExited && Environment.TickCount64 < deadline)
        {
            Thread.Sleep(1);
        }
    }

    /// <summary>Stops the watchdog of <paramref name="path"/> (and its sleep), if one is still waiting.</summary>
    public static async Task<int> StopAsync(string path, CancellationToken cancellationToken)
    {
        var stopped = 0;
        foreach (var pid in Find(path))
        {
            try
            {
                using var watchdog = Process.GetProcessById(pid);
                watchdog.Kill(entireProcessTree: true);
            }
            catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or Win32Exception)
            {
                // It expired (or was stopped) between the scan and the kill: nothing left to stop.
                continue;
            }

            // The signal is delivered asynchronously: a stop is only reported once the watchdog is dead. Dead, not
            // gone: after a crash its parent may be an init that never reaps, leaving a zombie for good.
            for (var attempt = 0; !IsDead(pid); attempt++)
            {
                if (attempt == 500)
                {
                    throw new IOException($"The expiry watchdog {pid} of {path} did not stop.");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken);
            }

            stopped++;
        }

        return stopped;
    }

    private static bool IsDead(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return true;
        }

        // The state follows the command, which sits in parentheses and may contain anything: read after the last ')'.
        var close = stat.LastIndexOf(')');
        return close < 0 || close + 2 >= stat.Length || stat[close + 2] is 'Z' or 'X';
    }

    private static IEnumerable<int> Find(string path)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string[] arguments;
            try
            {
                arguments = File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0');
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            // `sh -c <script> <path> <seconds>`, or `setsid sh -c ...` in the moment before setsid replaces itself
            // with the shell (a rollback right after inject lands there): the script and the exact path, so only
            // this fault's watchdog matches.
            var script = Array.IndexOf(arguments, Script);
            if (script > 0 && arguments[script - 1] == "-c" && script + 1 < arguments.Length && arguments[script + 1] == path)
            {
                yield return pid;
            }
        }
    }
}
