using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Faultline.Testing;

/// <summary>The faultline executable started as a user would, with its output captured line by line.</summary>
public sealed partial class FaultlineProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<(Regex Pattern, TaskCompletionSource<Match> Found)> _waiters = [];

    private FaultlineProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The build output of src/Faultline for the configuration these tests were built in.</summary>
    public static string ExecutablePath
    {
        get
        {
            // .../bin/<configuration>/net10.0/
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            var path = Path.Combine(RepositoryRoot.Path, "src", "Faultline", "bin", configuration, "net10.0", "faultline.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("Build src/Faultline first.", path);
        }
    }

    /// <summary>The secrets master key every started process gets unless the test says otherwise.</summary>
    public static string SharedSecretsKey { get; } = Storage.Secrets.MasterKey.Generate().ToBase64();

    public static FaultlineProcess Start(IReadOnlyDictionary<string, string?> environment, params string[] arguments) =>
        StartIn(null, environment, arguments);

    /// <summary>Starts the executable inside the network namespace <paramref name="networkNamespace"/> (ip netns exec), or here when null.</summary>
    public static FaultlineProcess StartIn(string? networkNamespace, IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(networkNamespace is null ? "dotnet" : "ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (networkNamespace is not null)
        {
            // ip execs the command in place, so the process (and its pid, for signals) is the agent itself.
            foreach (var prefix in new[] { "netns", "exec", networkNamespace, "dotnet" })
            {
                startInfo.ArgumentList.Add(prefix);
            }
        }

        startInfo.ArgumentList.Add(ExecutablePath);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment.Remove("FAULTLINE_DB");
        startInfo.Environment.Remove("FAULTLINE_SECRETS_KEY_FILE");

        // Nodes need a secrets master key; all processes of a test run share this one, as a cluster's nodes must.
        // A test that wants none names the variable with a null value.
        startInfo.Environment["FAULTLINE_SECRETS_KEY"] = SharedSecretsKey;
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var wrapper = new FaultlineProcess(process);
        process.OutputDataReceived += (_, e) => wrapper.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => wrapper.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return wrapper;
    }

    /// <summary>Waits for a line matching <paramref name="pattern"/> (already printed or yet to come).</summary>
    public async Task<Match> WaitForLineAsync(string pattern, TimeSpan timeout)
    {
        var regex = new Regex(pattern);
        var found = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            var existing = regex.Match(_output.ToString());
            if (existing.Success)
            {
                return existing;
            }

            _waiters.Add((regex, found));
        }

        var exited = _process.WaitForExitAsync();
        var winner = await Task.WhenAny(found.Task, exited, Task.Delay(timeout));
        if (winner == found.Task)
        {
            return await found.Task;
        }

        throw new Xunit.Sdk.XunitException(
            $"'{pattern}' not printed within {timeout.TotalSeconds:0} s ({(winner == exited ? $"process exited with {_process.ExitCode}" : "timed out")}). Output:\n{Output}");
    }

    /// <summary>Sends a POSIX signal, as Ctrl-C (SIGINT) or a service manager (SIGTERM) would.</summary>
    public void Signal(int signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {_process.Id} failed with {kill.ExitCode}");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"faultline did not exit within {timeout.TotalSeconds:0} s. Output:\n{Output}");
        }

        return _process.ExitCode;
    }

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

        lock (_output)
        {
            _output.AppendLine(line);
            var text = _output.ToString();
            foreach (var waiter in _waiters.ToList())
            {
                var match = waiter.Pattern.Match(text);
                if (match.Success)
                {
                    waiter.Found.TrySetResult(match);
                    _waiters.Remove(waiter);
                }
            }
        }
    }
}

/// <summary>The POSIX signal numbers on Linux.</summary>
public static class Signals
{
    public const int Interrupt = 2;
    public const int Kill = 9;
    public const int Terminate = 15;
    public const int Continue = 18;
    public const int Stop = 19;
}
