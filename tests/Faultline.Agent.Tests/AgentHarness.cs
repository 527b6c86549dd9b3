using System.Text.Json;
using Faultline.Domain.Agents;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;
using Microsoft.Extensions.Logging;

namespace Faultline.Agent.Tests;

/// <summary>
/// One test's world: a stand-in control plane, a private plugin folder and state directory, and agents started over
/// them with short timings. Agents still running at the end are abandoned, as a crash would leave them.
/// </summary>
public sealed class AgentHarness : IAsyncDisposable
{
    public static readonly Target Demo = Target.Of("noop", "demo");

    /// <summary>A target of the witness injector (it acts on host targets).</summary>
    public static readonly Target Witness = Target.Of(TargetKinds.Host, "witness");

    private static readonly JsonElement NoParameters = JsonDocument.Parse("{}").RootElement;

    private readonly List<AgentRuntime> _agents = [];

    private AgentHarness(StandInControlPlane plane) => Plane = plane;

    public StandInControlPlane Plane { get; }

    public PluginFolder Plugins { get; } = new();

    public CapturedLogs Logs { get; } = new();

    public static async Task<AgentHarness> StartAsync(TimeSpan? grace = null) => new(await StandInControlPlane.StartAsync(grace));

    public AgentRuntime CreateAgent(string token = StandInControlPlane.Token)
    {
        var agent = new AgentRuntime(
            new AgentOptions
            {
                Server = Plane.Address,
                Token = token,
                Name = "test-agent",
                StateDirectory = Plugins.StateDirectory,
                PluginSearchPaths = [Plugins.SearchPath],
                PluginSettings = new Dictionary<string, IReadOnlyDictionary<string, string>>
                {
                    ["fixture.misbehaving"] = new Dictionary<string, string> { ["witnessDirectory"] = Plugins.JournalDirectory },
                },
                StaticTargets = [Demo, Witness],
                Grace = TimeSpan.FromSeconds(30),
                InitialBackoff = TimeSpan.FromMilliseconds(50),
                MaxBackoff = TimeSpan.FromMilliseconds(500),
                AuthRetryDelay = TimeSpan.FromMilliseconds(200),
                RequestTimeoutMargin = TimeSpan.FromSeconds(1),
                StopTimeout = TimeSpan.FromSeconds(10),
                HttpHandlerFactory = () => new SocketsHttpHandler { UseProxy = false },
            },
            LoggerFactory.Create(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug)));
        _agents.Add(agent);
        return agent;
    }

    /// <summary>Starts an agent and waits until it polls in a session.</summary>
    public async Task<AgentRuntime> StartAgentAsync(int hellos = 1)
    {
        var agent = CreateAgent();
        await agent.StartAsync();
        await Plane.WaitForSessionAsync(hellos);
        return agent;
    }

    /// <summary>Abandons an agent without removing anything: the crash.</summary>
    public async Task CrashAsync(AgentRuntime agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        _agents.Remove(agent);
        await agent.DisposeAsync();
    }

    public static string NewFaultId() => $"f-{Guid.NewGuid():N}";

    public static AgentCommand Inject(string faultId, Target target, TimeSpan? expiresIn = null, string injector = "noop") =>
        new(Guid.NewGuid(), AgentCommandKind.Inject, injector, target,
            new FaultRequest(faultId, Guid.NewGuid(), target, NoParameters, TimeSpan.FromMinutes(1), DateTimeOffset.UtcNow + (expiresIn ?? TimeSpan.FromMinutes(5))), null);

    public static AgentCommand Rollback(FaultHandle handle, Target? target = null) =>
        new(Guid.NewGuid(), AgentCommandKind.Rollback, handle.Injector, target ?? handle.Target, null, handle);

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }

        await Plane.DisposeAsync();
        Plugins.Dispose();
        Logs.Dispose();
    }
}
