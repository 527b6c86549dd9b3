using System.Reflection;

namespace Faultline.Agent;

/// <summary>The agent's version as the hello reports it: the informational version without the source hash.</summary>
public static class AgentVersion
{
    public static string Value { get; } =
        (typeof(AgentVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];
}
