using Faultline.Domain.Experiments;
using Faultline.Engine.Runs;
using Faultline.Engine.Tests.Plugins;
using Faultline.Sdk.Targets;

namespace Faultline.Engine.Tests.Agents;

/// <summary>Selectors see the targets the organization's connected agents report; an agent that is away offers none.</summary>
public sealed class AgentTargetResolutionTests : IDisposable
{
    private static readonly Guid Organization = Guid.NewGuid();

    private readonly PluginFolder _folder = new();
    private readonly InProcessAgent _agent;

    public AgentTargetResolutionTests()
    {
        _folder.Add("faultline.noop");
        var labelled = new Target("noop", "checkout-1", new Dictionary<string, string> { ["app"] = "checkout" }, new Dictionary<string, string>());
        _agent = new InProcessAgent(Organization, _folder.Load(), [labelled, Target.Of("noop", "other")]);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_label_selector_finds_an_agents_target_and_discovery_agents_lists_only_theirs()
    {
        var resolver = new TargetResolver(_folder.Load(), _agent);
        var byLabel = new TargetSelector(["noop"], [], new Dictionary<string, string> { ["app"] = "checkout" }, [], null);
        var all = new TargetSelector([], [], new Dictionary<string, string>(), [], TargetResolver.AgentsDiscovery);

        Assert.Equal(["noop/checkout-1"], (await resolver.CandidatesAsync(byLabel, Token, Organization)).Select(t => t.ToString()));
        Assert.Equal(["noop/checkout-1", "noop/other"], (await resolver.CandidatesAsync(all, Token, Organization)).Select(t => t.ToString()));
        Assert.Empty(await resolver.CandidatesAsync(all, Token, Guid.NewGuid()));

        _agent.Offline = true;
        Assert.Empty(await resolver.CandidatesAsync(all, Token, Organization));
    }

    public void Dispose() => _folder.Dispose();
}
