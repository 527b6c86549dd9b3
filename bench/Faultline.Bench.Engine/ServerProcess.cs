using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Faultline.Bench.Engine;

/// <summary>
/// A real <c>faultline server</c> process, started as an operator would (<c>dotnet faultline.dll server</c>), with
/// its output captured line by line so the benchmark can wait for "joined" and show the log when something fails.
/// Only processes started here are ever killed, by their own handle.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<(Regex Pattern, TaskCompletionSource<Match> Found)> _waiters = [];

    private ServerProcess(Process process) => _process = process;

    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    private static readonly string SharedSecretsKey = Faultline.Storage.Secrets.MasterKey.Generate().ToBase64();

    public static ServerProcess Start(string faultlineDll, IReadOnlyDictionary<string, string> environment)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in new[] { faultlineDll, "server", "--port", "0" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Only the settings given here: a FAULTLINE_* variable from the caller's shell (a real database, a
        // long lease) would silently change what is measured.
        foreach (var name in startInfo.Environment.Keys.Where(key => key.StartsWith("FAULTLINE_", StringComparison.Ordinal)).ToList())
        {
            startInfo.Environment.Remove(name);
        }

        // Every node of the bench shares one secrets key, as a cluster's nodes must.
        startInfo.Environment["FAULTLINE_SECRETS_KEY"] = SharedSecretsKey;
        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var server = new ServerProcess(process);
        process.OutputDataReceived += (_, e) => server.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => server.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Waits for a line matching <paramref name="pattern"/>, already printed or yet to come.</summary>
    public async Task<Match> WaitForLineAsync(string pattern, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var regex = new Regex(pattern, RegexOptions.CultureInvariant);
        var found = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lines)
        {
            foreach (var line in _lines)
            {
                if (regex.Match(line) is { Success: true } match)
                {
                    return match;
                }
            }

            _waiters.Add((regex, found));
        }

        var exited = _process.WaitForExitAsync(cancellationToken);
        var winner = await Task.WhenAny(found.Task, exited, Task.Delay(timeout, cancellationToken));
        if (winner == found.Task)
        {
            return await found.Task;
        }

        cancellationToken.ThrowIfCancellationRequested();
        throw new TimeoutException(
            $"faultline server did not print '{pattern}' within {timeout.TotalSeconds:0} s ({(winner == exited ? $"it exited with {_process.ExitCode}" : "timed out")}). Output:\n{Output}");
    }

    /// <summary>SIGKILL, as <c>kill -9</c>: no shutdown hook runs, the node's leases are simply no longer renewed.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: false);

    public async Task WaitForExitAsync(CancellationToken cancellationToken) => await _process.WaitForExitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
            foreach (var waiter in _waiters.ToList())
            {
                if (waiter.Pattern.Match(line) is { Success: true } match)
                {
                    waiter.Found.TrySetResult(match);
                    _waiters.Remove(waiter);
                }
            }
        }
    }
}
