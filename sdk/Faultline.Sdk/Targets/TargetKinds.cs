namespace Faultline.Sdk.Targets;

/// <summary>The target kinds Faultline's own plugins use; plugins may define more.</summary>
public static class TargetKinds
{
    public const string Host = "host";
    public const string Process = "process";
    public const string Pod = "pod";
    public const string Container = "container";
    public const string NetworkInterface = "network-interface";
    public const string Directory = "directory";
    public const string Redis = "redis";
}
