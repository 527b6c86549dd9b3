namespace Faultline.Deploy.Tests.Tools;

/// <summary>What a tool answered: its exit code and both streams, printable as evidence in a test's output.</summary>
internal sealed record ToolResult(string CommandLine, int ExitCode, string Output, string Error)
{
    public bool Succeeded => ExitCode == 0;

    public override string ToString() => $"$ {CommandLine}\n(exit {ExitCode})\n{Output}{Error}";
}
