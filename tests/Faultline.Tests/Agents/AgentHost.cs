using System.Globalization;
using System.Net;

namespace Faultline.Tests.Agents;

/// <summary>
/// A real `faultline agent` process for the end-to-end tests: its own token (issued through the API), its own state
/// directory (journal and noop markers), the staged plugins, and static targets, since the noop plugin discovers none.
/// </summary>
internal sealed class AgentHost : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _environment;
    private readonly string[] _arguments;

    private AgentHost(FaultlineProcess process, string stateDirectory, Dictionary<string, string?> environment, string[] arguments)
    {
        Process = process;
        StateDirectory = stateDirectory;
        _environment = environment;
        _arguments = arguments;
    }

    public FaultlineProcess Process { get; }

    public string StateDirectory { get; }

    public static async Task<AgentHost> StartAsync(HttpClient api, string name, string target, TimeSpan grace, AgentNetwork? network = null)
    {
        var response = await api.PostJsonAsync("/api/v1/agent-tokens", new { name });
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        var state = Directory.CreateTempSubdirectory("faultline-agent-e2e-").FullName;
        var environment = new Dictionary<string, string?>
        {
            ["FAULTLINE_AGENT_TOKEN"] = body.GetProperty("token").GetString(),
            ["FAULTLINE_LOG_FORMAT"] = "text",
        };
        string[] arguments =
        [
            "agent", "--server", network is null ? api.BaseAddress!.ToString() : $"http://{network.HostAddress}:{api.BaseAddress!.Port}", "--name", name, "--target", target, "--state-dir", state,
            "--plugin-path", Path.Combine(RepositoryRoot.Path, "artifacts", "plugins"),
            "--grace", grace.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        ];
        var host = new AgentHost(FaultlineProcess.StartIn(network?.Name, environment, arguments), state, environment, arguments);
        await host.Process.WaitForLineAsync("Session .* open with", TimeSpan.FromSeconds(90));
        return host;
    }

    /// <summary>The same agent started again over the same state directory, after this process has gone.</summary>
    public async Task<AgentHost> RestartAsync()
    {
        var host = new AgentHost(FaultlineProcess.Start(_environment, _arguments), StateDirectory, _environment, _arguments);
        await host.Process.WaitForLineAsync("Session .* open with", TimeSpan.FromSeconds(90));
        return host;
    }

    /// <summary>The noop faults in effect on this agent's host (one marker file each).</summary>
    public IReadOnlyList<string> Markers()
    {
        var directory = Path.Combine(StateDirectory, "plugins", "faultline.noop");
        return Directory.Exists(directory) ? [.. Directory.EnumerateFiles(directory, "noop-*.json")] : [];
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Signal(Signals.Continue);
        }

        await Process.DisposeAsync();
    }
}
