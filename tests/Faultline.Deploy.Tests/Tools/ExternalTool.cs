using System.Diagnostics;

namespace Faultline.Deploy.Tests.Tools;

/// <summary>
/// A command-line tool the checks use when the machine has it (kubectl, helm, systemd-analyze): found on PATH, run
/// with a deadline, its output captured for the test's own output.
/// </summary>
internal sealed record ExternalTool(string Name, string Path)
{
    public static ExternalTool? Find(string name)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => System.IO.Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
        return path is null ? null : new ExternalTool(name, path);
    }

    /// <summary>Runs the tool; <paramref name="environment"/> entries override the inherited environment.</summary>
    public async Task<ToolResult> RunAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var startInfo = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // Closed at once: a tool that asks a question (kubectl's login prompt) gets EOF instead of waiting.
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepositoryRoot.Path,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"cannot start {Path}");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Name} {string.Join(' ', arguments)}: no answer within 60 s");
        }

        return new ToolResult($"{Name} {string.Join(' ', arguments)}", process.ExitCode, await output, await error);
    }
}
