namespace Faultline.Api.Hosting;

/// <summary>Everything a control-plane node needs to start; filled from flags and environment by the executable.</summary>
public sealed class FaultlineServerOptions
{
    public required string ConnectionString { get; init; }

    /// <summary>Where Kestrel listens; loopback by default so nothing is exposed unless asked.</summary>
    public IReadOnlyList<string> Urls { get; init; } = ["http://127.0.0.1:8080"];

    public RateLimitOptions RateLimit { get; init; } = new();

    /// <summary>Largest accepted request body; larger ones get 413 before anything is parsed.</summary>
    public long MaxRequestBodyBytes { get; init; } = 1024 * 1024;

    /// <summary>"json" (structured, with trace ids) or "text".</summary>
    public string LogFormat { get; init; } = "json";

    public LogLevel MinimumLogLevel { get; init; } = LogLevel.Information;

    /// <summary>How often a node tells the others it is alive; three missed beats make it dead.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Where plugins are loaded from and how long their calls may take.</summary>
    public Engine.Plugins.PluginHostOptions Plugins { get; init; } = new();

    /// <summary>
    /// The master key team secrets are sealed with; the same on every node. Required: a node without one refuses
    /// to start (<see cref="Storage.Secrets.MasterKeySource.MissingKeyMessage"/>) rather than store secrets in plaintext.
    /// </summary>
    public Storage.Secrets.MasterKey? SecretsKey { get; init; }

    /// <summary>How this node drives runs: lease TTL, poll interval, per-node cap.</summary>
    public Engine.Runs.EngineOptions Engine { get; init; } = new();

    /// <summary>The agent protocol's grace and poll wait.</summary>
    public Engine.Agents.AgentOptions Agents { get; init; } = new();
}

/// <summary>A token bucket per API key (per source address for unauthenticated requests).</summary>
public sealed class RateLimitOptions
{
    public int PermitsPerSecond { get; init; } = 100;

    public int Burst { get; init; } = 200;
}
