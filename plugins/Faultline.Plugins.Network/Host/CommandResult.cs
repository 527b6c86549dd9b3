namespace Faultline.Plugins.Network.Host;

/// <summary>What a host command did: its exit code and output, for evidence and errors.</summary>
public sealed record CommandResult(string CommandLine, int ExitCode, string Output, string Error)
{
    public bool Succeeded => ExitCode == 0;

    public override string ToString() => Succeeded ? CommandLine : $"{CommandLine} exited {ExitCode}: {Error.Trim()}";
}
