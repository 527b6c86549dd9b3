namespace Faultline.Sdk.Samples.Tests;

/// <summary>How a command ended, with its output, for assertions that say what went wrong.</summary>
public sealed record CommandResult(string CommandLine, int ExitCode, string Output, bool TimedOut, TimeSpan Elapsed)
{
    // Build logs are long; the end holds the errors and the summary.
    private const int ShownOutput = 20_000;

    public bool Succeeded => ExitCode == 0 && !TimedOut;

    public string Describe()
    {
        var ending = TimedOut ? $"timed out after {Elapsed.TotalSeconds:0} s" : $"exited {ExitCode} after {Elapsed.TotalSeconds:0} s";
        var output = Output.Length > ShownOutput ? "..." + Output[^ShownOutput..] : Output;
        return $"`{CommandLine}` {ending}:\n{output}";
    }
}
