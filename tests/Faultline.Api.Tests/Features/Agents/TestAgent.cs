using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Faultline.Domain.Agents;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;

namespace Faultline.Api.Tests.Features.Agents;

/// <summary>An agent as the control plane sees one: an HTTP client speaking the protocol with an agent token.</summary>
public sealed class TestAgent(TestServer server, string token) : IDisposable
{
    private readonly HttpClient _client = Client(server, token);

    public AgentSession? Session { get; private set; }

    public static HttpClient Client(TestServer server, string token)
    {
        ArgumentNullException.ThrowIfNull(server);
        var client = server.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static AgentHello Hello(string name, params Target[] targets) => new(
        name,
        $"{name}.example.internal",
        "0.1.0-test",
        [new AgentInjector("noop", ["noop"], new HostCapabilityReport(new Dictionary<string, bool> { ["tracking"] = true }, ["noop needs nothing of the host"]))],
        targets,
        []);

    public async Task<AgentSession> HelloAsync(AgentHello hello)
    {
        var response = await _client.PostAsJsonAsync(AgentProtocol.SessionsPath, hello, AgentJson.Options);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Session = await response.Content.ReadFromJsonAsync<AgentSession>(AgentJson.Options);
        return Session!;
    }

    public Task<HttpResponseMessage> SendHelloAsync(AgentHello hello) => _client.PostAsJsonAsync(AgentProtocol.SessionsPath, hello, AgentJson.Options);

    public Task<HttpResponseMessage> SendPollAsync(AgentPoll poll, CancellationToken cancellationToken = default) =>
        _client.PostAsJsonAsync(AgentProtocol.PollPath, poll, AgentJson.Options, cancellationToken);

    public async Task<AgentPollResponse> PollAsync(
        IReadOnlyList<CommandResult>? results = null, IReadOnlyList<string>? held = null, IReadOnlyList<SelfRemoval>? selfRemovals = null)
    {
        var response = await SendPollAsync(new AgentPoll(Session!.SessionId, results ?? [], held ?? [], selfRemovals ?? []));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<AgentPollResponse>(AgentJson.Options))!;
    }

    public void Dispose() => _client.Dispose();
}
