using System.Text.Json;
using Faultline.Domain.Agents;
using Faultline.Engine.Agents;
using Faultline.Engine.Plugins;
using Faultline.Engine.Tests.Plugins;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;
using Microsoft.Extensions.Logging.Abstractions;

namespace Faultline.Engine.Tests.Agents;

/// <summary>
/// The engine's way to an injector when agents hold targets: calls on an agent's target become commands to that
/// agent (and its plugin does the work), calls on other targets stay on this node, and an agent that stops
/// answering turns into the same failures an in-process plugin gives, cleanup included.
/// </summary>
public sealed class RoutedInjectorTests : IDisposable
{
    private static readonly Guid Organization = Guid.NewGuid();

    private readonly PluginFolder _agentPlugins = new();
    private readonly PluginFolder _nodePlugins = new();
    private readonly InProcessAgent _agent;
    private readonly PluginCatalog _node;

    public RoutedInjectorTests()
    {
        _agentPlugins.Add("faultline.noop");
        _agentPlugins.Add("fixture.misbehaving");
        _agent = new InProcessAgent(Organization, _agentPlugins.Load(timeouts: new PluginTimeouts { Inject = TimeSpan.FromMilliseconds(500) }), [Target.Of("noop", "remote"), Target.Of("host", "remote-host")]);
        _nodePlugins.Add("faultline.noop");
        _node = _nodePlugins.Load();
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Calls_on_an_agents_target_go_to_that_agent_and_its_plugin_applies_and_removes_the_fault()
    {
        var noop = await RouterAsync().FindAsync("noop", Organization, Token);
        var request = Request(Target.Of("noop", "remote"));

        Assert.True((await noop!.ValidateAsync(request, Token)).IsValid);
        Assert.Contains("agent-claim", noop.Claims(request));
        var handle = await noop.InjectAsync(request, Token);
        Assert.Single(Markers(_agentPlugins));
        Assert.True((await noop.VerifyAsync(handle, Token)).InEffect);
        Assert.Equal(RollbackStatus.Removed, (await noop.RollbackAsync(handle, Token)).Status);

        Assert.Empty(Markers(_agentPlugins));
        Assert.Empty(Markers(_nodePlugins));
        Assert.Equal(
            [AgentCommandKind.Validate, AgentCommandKind.Inject, AgentCommandKind.Verify, AgentCommandKind.Rollback],
            _agent.Received.Select(command => command.Kind));
    }

    [Fact]
    public async Task Calls_on_a_target_no_agent_reports_stay_on_this_node()
    {
        var noop = await RouterAsync().FindAsync("noop", Organization, Token);

        var handle = await noop!.InjectAsync(Request(Target.Of("noop", "local")), Token);

        Assert.Single(Markers(_nodePlugins));
        Assert.Empty(Markers(_agentPlugins));
        Assert.Empty(_agent.Received);
        await noop.RollbackAsync(handle, Token);
    }

    [Fact]
    public async Task With_the_directory_down_a_fault_applied_on_this_node_is_still_removed_and_an_unseen_target_is_an_error()
    {
        var noop = await RouterAsync().FindAsync("noop", Organization, Token);
        var handle = await noop!.InjectAsync(Request(Target.Of("noop", "local")), Token);
        _agent.DirectoryDown = true;

        Assert.Equal(RollbackStatus.Removed, (await noop.RollbackAsync(handle, Token)).Status);
        Assert.Empty(Markers(_nodePlugins));
        var unseen = await Assert.ThrowsAsync<InjectFailedException>(() => noop.InjectAsync(Request(Target.Of("noop", "never-seen")), Token));
        Assert.Contains("the agent directory failed", unseen.Message, StringComparison.Ordinal);
        Assert.True(unseen.Cleanup.Completed);
        Assert.Empty(Markers(_nodePlugins));
    }

    [Fact]
    public async Task An_injector_only_the_agents_have_is_found_with_the_kinds_they_report_and_another_organization_finds_nothing()
    {
        var router = RouterAsync();

        var hang = await router.FindAsync("fixture.hang", Organization, Token);

        Assert.NotNull(hang);
        Assert.Contains("host", hang.Descriptor.TargetKinds);
        Assert.Null(await router.FindAsync("fixture.hang", Guid.NewGuid(), Token));
        Assert.Null(await router.FindAsync("no.such.injector", Organization, Token));
    }

    [Fact]
    public async Task An_inject_that_fails_on_the_agent_has_its_leftovers_removed_there()
    {
        var hang = await RouterAsync().FindAsync("fixture.hang", Organization, Token);

        var failure = await Assert.ThrowsAsync<InjectFailedException>(() => hang!.InjectAsync(Request(Target.Of("host", "remote-host")), Token));

        Assert.True(failure.Cleanup.Completed, failure.Message);
        Assert.Empty(Directory.GetFiles(Path.Combine(_agentPlugins.StateRoot, "fixture.misbehaving"), "*.marker"));
    }

    [Fact]
    public async Task An_agent_that_stops_answering_mid_inject_gives_a_timed_out_inject_whose_cleanup_names_the_dead_man_switch()
    {
        var noop = await RouterAsync().FindAsync("noop", Organization, Token);
        var request = Request(Target.Of("noop", "remote"));
        Assert.True((await noop!.ValidateAsync(request, Token)).IsValid);
        _agent.Offline = true;

        var failure = await Assert.ThrowsAsync<InjectFailedException>(() => noop.InjectAsync(request, Token));

        // The node has noop too, yet nothing falls back to it: the target is the agent's, and the cleanup cannot reach it either.
        Assert.False(failure.Cleanup.Completed);
        Assert.Empty(Markers(_nodePlugins));
        Assert.Equal([AgentCommandKind.Validate, AgentCommandKind.Inject, AgentCommandKind.ListLeftovers], _agent.Received.Select(command => command.Kind));
        Assert.True(failure.TimedOut, failure.Message);
        Assert.Contains("the agent removes the fault itself when its grace passes unrenewed", failure.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _agentPlugins.Dispose();
        _nodePlugins.Dispose();
    }

    private InjectorRouter RouterAsync() => new(_node, new PluginTimeouts(), NullLogger<InjectorRouter>.Instance, _agent, _agent);

    private static string[] Markers(PluginFolder folder)
    {
        var directory = Path.Combine(folder.StateRoot, "faultline.noop");
        return Directory.Exists(directory) ? Directory.GetFiles(directory) : [];
    }

    private static FaultRequest Request(Target target) => new(
        $"f-{Guid.NewGuid():N}", Guid.NewGuid(), target, JsonDocument.Parse("{}").RootElement.Clone(), TimeSpan.FromMinutes(1), DateTimeOffset.UtcNow.AddMinutes(1));
}
