using System.Globalization;
using Faultline.Api.Hosting;
using Faultline.Domain.Agents;
using Faultline.Engine.Agents;
using Faultline.Engine.Plugins;
using Faultline.Engine.Runs;
using Faultline.Storage.Secrets;

namespace Faultline.Commands;

/// <summary>Server settings from the environment, so containers and CI can configure nodes without flags.</summary>
internal static class ServerSettings
{
    public static FaultlineServerOptions From(string connectionString, string host, int port, string defaultLogFormat, string stateDirectory, MasterKey secretsKey) => new()
    {
        ConnectionString = connectionString,
        SecretsKey = secretsKey,
        Urls = [$"http://{host}:{port.ToString(CultureInfo.InvariantCulture)}"],
        LogFormat = Environment.GetEnvironmentVariable("FAULTLINE_LOG_FORMAT") ?? defaultLogFormat,
        RateLimit = new RateLimitOptions
        {
            PermitsPerSecond = IntFromEnvironment("FAULTLINE_RATE_LIMIT_RPS", 100),
            Burst = IntFromEnvironment("FAULTLINE_RATE_LIMIT_BURST", 200),
        },
        MaxRequestBodyBytes = IntFromEnvironment("FAULTLINE_MAX_BODY_BYTES", 1024 * 1024),
        HeartbeatInterval = TimeSpan.FromMilliseconds(Math.Max(100, IntFromEnvironment("FAULTLINE_HEARTBEAT_MS", 5000))),
        Plugins = new PluginHostOptions
        {
            SearchPaths = PluginSearchPaths(),
            StateRoot = Path.Combine(stateDirectory, "plugins"),
        },
        Engine = new EngineOptions
        {
            LeaseTtl = TimeSpan.FromMilliseconds(Math.Max(500, IntFromEnvironment("FAULTLINE_LEASE_TTL_MS", 10_000))),
            PollInterval = TimeSpan.FromMilliseconds(Math.Max(50, IntFromEnvironment("FAULTLINE_POLL_MS", 500))),
            MaxConcurrentRuns = Math.Max(0, IntFromEnvironment("FAULTLINE_MAX_RUNS", 50)),
            RecoveryWindow = TimeSpan.FromMilliseconds(IntFromEnvironment("FAULTLINE_RECOVERY_WINDOW_MS", 10_000)),
        },
        Agents = AgentSettings(),
    };

    /// <summary>
    /// FAULTLINE_AGENT_GRACE_MS (at least 1 s) and FAULTLINE_AGENT_POLL_WAIT_MS (capped at half the grace: a held poll is
    /// the heartbeat, so it must end, and be answered with renewals, well before an agent's faults would lapse).
    /// </summary>
    private static AgentOptions AgentSettings()
    {
        var grace = Math.Max(1000, IntFromEnvironment("FAULTLINE_AGENT_GRACE_MS", (int)AgentProtocol.DefaultGrace.TotalMilliseconds));
        var pollWait = Math.Clamp(IntFromEnvironment("FAULTLINE_AGENT_POLL_WAIT_MS", (int)AgentProtocol.DefaultPollWait.TotalMilliseconds), 100, grace / 2);
        return new AgentOptions { Grace = TimeSpan.FromMilliseconds(grace), PollWait = TimeSpan.FromMilliseconds(pollWait) };
    }

    /// <summary>The plugins folder next to the executable, then every folder of FAULTLINE_PLUGIN_PATH (colon-separated).</summary>
    public static IReadOnlyList<string> PluginSearchPaths() =>
    [
        Path.Combine(AppContext.BaseDirectory, "plugins"),
        .. (Environment.GetEnvironmentVariable("FAULTLINE_PLUGIN_PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(Path.GetFullPath),
    ];

    /// <summary>State that must survive restarts (plugin markers and journals): FAULTLINE_STATE_DIR, or beside the executable.</summary>
    public static string StateDirectory(string? fallback = null) =>
        Path.GetFullPath(Environment.GetEnvironmentVariable("FAULTLINE_STATE_DIR") ?? fallback ?? Path.Combine(AppContext.BaseDirectory, "state"));

    public static int IntFromEnvironment(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
