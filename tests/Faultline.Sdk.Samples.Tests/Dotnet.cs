namespace Faultline.Sdk.Samples.Tests;

/// <summary>The dotnet CLI, as a plugin author runs it from a terminal.</summary>
public static class Dotnet
{
    /// <summary>The dotnet host running these tests (the SDK sets the variable), else the one on the PATH.</summary>
    private static string Executable =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public static Task<CommandResult> RunAsync(
        string workingDirectory,
        IReadOnlyList<string> arguments,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null,
        CancellationToken cancellationToken = default)
    {
        var variables = new Dictionary<string, string>
        {
            // No MSBuild node or compiler server may outlive the command: one that inherited the output pipes would
            // keep them open past the end of the build, and one left behind would hold files of the temporary folders.
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
            ["UseSharedCompilation"] = "false",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            variables[name] = value;
        }

        return ProcessRunner.RunAsync(Executable, workingDirectory, arguments, timeout, variables, cancellationToken);
    }
}
