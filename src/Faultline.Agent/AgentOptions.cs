using Faultline.Domain.Agents;
using Faultline.Sdk.Targets;

namespace Faultline.Agent;

/// <summary>What an agent needs to run: where the control plane is, who it is, where it keeps state.</summary>
public sealed class AgentOptions
{
    /// <summary>The control plane's base address (https in production; the agent always connects out).</summary>
    public required Uri Server { get; init; }

    /// <summary>The agent token (<c>fla_...</c>), sent as a bearer token and never logged.</summary>
    public required string Token { get; init; }

    public required string Name { get; init; }

    /// <summary>Root of the agent's durable state: the journal under <c>agent/journal</c>, plugin state under <c>plugins</c>.</summary>
    public required string StateDirectory { get; init; }

    /// <summary>Folders whose sub-folders are plugins.</summary>
    public required IReadOnlyList<string> PluginSearchPaths { get; init; }

    /// <summary>Settings per plugin id, handed to plugins at registration.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> PluginSettings { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, string>>();

    /// <summary>Targets named by the operator, reported beside what the discoveries find.</summary>
    public IReadOnlyList<Target> StaticTargets { get; init; } = [];

    /// <summary>How long a fault stays without a renewal from the control plane (the session may ask for less).</summary>
    public TimeSpan Grace { get; init; } = AgentProtocol.DefaultGrace;

    /// <summary>How often the dead-man switch looks for faults whose grace or hard expiry has passed.</summary>
    public TimeSpan WatchdogInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait after a 401/403: a revoked token does not heal quickly, so the agent asks rarely.</summary>
    public TimeSpan AuthRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How much longer than the session's poll wait a poll may take before it counts as failed.</summary>
    public TimeSpan RequestTimeoutMargin { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a graceful stop tries to remove the faults it holds and report them.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The HTTP handler to the control plane; null for the default (which honours HTTPS_PROXY).</summary>
    public Func<HttpMessageHandler>? HttpHandlerFactory { get; init; }

    public string JournalDirectory => Path.Combine(StateDirectory, "agent", "journal");

    public string PluginStateRoot => Path.Combine(StateDirectory, "plugins");
}
