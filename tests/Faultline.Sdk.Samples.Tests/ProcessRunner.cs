using System.Diagnostics;
using System.Text;

namespace Faultline.Sdk.Samples.Tests;

/// <summary>Runs a program to its end or its deadline, capturing what it prints; on the deadline its whole tree is killed.</summary>
public static class ProcessRunner
{
    public static async Task<CommandResult> RunAsync(
        string fileName,
        string workingDirectory,
        IReadOnlyList<string> arguments,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null,
        CancellationToken cancellationToken = default)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Under `dotnet test` this process inherits the outer build's MSBuild and test-platform variables; a nested
        // command must start from a plain user's environment, or it resolves targets and runners of the outer one.
        foreach (var name in startInfo.Environment.Keys.Where(IsOuterBuildVariable).ToList())
        {
            startInfo.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        var output = new StringBuilder();
        void Append(object sender, DataReceivedEventArgs line)
        {
            if (line.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(line.Data);
                }
            }
        }

        var commandLine = $"{Path.GetFileName(fileName)} {string.Join(' ', arguments)}";
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        process.Start();

        // Nothing is ever typed in: a command that asks for input gets end-of-file rather than waiting forever.
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }

        lock (output)
        {
            return new CommandResult(commandLine, process.ExitCode, output.ToString(), timedOut, stopwatch.Elapsed);
        }
    }

    private static bool IsOuterBuildVariable(string name) =>
        name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) ||
        name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase) ||
        name.StartsWith("TESTINGPLATFORM", StringComparison.OrdinalIgnoreCase);
}
