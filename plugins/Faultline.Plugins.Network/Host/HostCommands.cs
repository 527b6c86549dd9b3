using System.Diagnostics;
using System.Text;
using Faultline.Plugins.Network.Namespaces;

namespace Faultline.Plugins.Network.Host;

/// <summary>
/// Runs tc, nft, iptables and ip inside a network namespace (through <c>nsenter --net=PATH</c>, which takes a
/// named namespace and a process's alike), with a deadline, capturing output for the run's evidence.
/// </summary>
public sealed class HostCommands(TimeSpan? timeout = null)
{
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(15);

    public async Task<CommandResult> RunAsync(NetworkNamespace ns, string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken, string? input = null)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(arguments);
        var startInfo = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
        };
        if (ns.Path == NetworkNamespace.Current.Path)
        {
            startInfo.FileName = program;
        }
        else
        {
            startInfo.FileName = "nsenter";
            startInfo.ArgumentList.Add($"--net={ns.Path}");
            startInfo.ArgumentList.Add(program);
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var commandLine = $"{(ns.Path == NetworkNamespace.Current.Path ? "" : $"[{ns.Path}] ")}{program} {string.Join(' ', arguments)}";
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new NetworkCommandException($"{commandLine}: cannot start {startInfo.FileName} ({exception.Message}); is it installed?", exception);
        }

        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input.AsMemory(), cancellationToken);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new NetworkCommandException($"{commandLine}: no answer within {_timeout.TotalSeconds} s; killed.");
        }

        return new CommandResult(commandLine, process.ExitCode, await output, await error);
    }

    /// <summary>Runs the command and throws with its stderr when it fails.</summary>
    public async Task<CommandResult> RunCheckedAsync(NetworkNamespace ns, string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken, string? input = null)
    {
        var result = await RunAsync(ns, program, arguments, cancellationToken, input);
        return result.Succeeded ? result : throw new NetworkCommandException(result.ToString());
    }

    /// <summary>Splits a command line written as one string (no quoting needed by our own commands).</summary>
    public static string[] Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public static string Join(IEnumerable<string> lines)
    {
        var builder = new StringBuilder();
        foreach (var line in lines)
        {
            builder.Append(line).Append('\n');
        }

        return builder.ToString();
    }
}
