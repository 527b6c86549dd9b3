using Microsoft.Extensions.DependencyInjection;

namespace Faultline.Api.Tests.Features.Runs;

/// <summary>An injector that hangs past its timeout: the run closes with the reason and whatever it half-applied is removed.</summary>
public sealed class HangingInjectTests(PostgresServer postgres) : ApiTest(postgres)
{
    protected override Engine.Plugins.PluginHostOptions? Plugins =>
        TestServer.StagedPlugins(new Engine.Plugins.PluginTimeouts { Inject = TimeSpan.FromSeconds(1) });

    [Fact]
    public async Task An_inject_hanging_past_its_timeout_is_rolled_back_and_the_run_closed_with_the_reason()
    {
        await using var health = await HealthEndpoint.StartAsync();
        var experiment = await Owner.CreateExperimentAsync(RunApi.NoopExperiment("hangs", health.Url, parameters: "{ injectDelay: 8s }"));

        var run = await Owner.WaitForRunAsync(await Owner.StartRunAsync(experiment), TimeSpan.FromSeconds(30));

        Assert.Equal("error", run.GetProperty("verdict").GetString());
        Assert.Contains("inject on noop/a timed out", run.GetProperty("verdictReason").GetString());
        var fault = Assert.Single(run.GetProperty("faults").EnumerateArray());
        Assert.Equal("removed", fault.GetProperty("state").GetString());
        Assert.Contains("rolled back 1 leftover", fault.GetProperty("removalEvidence").GetString(), StringComparison.OrdinalIgnoreCase);
        var failure = Assert.Single(await Owner.EventsAsync(run.GetProperty("id").GetGuid()), e => e.GetProperty("type").GetString() == "fault.inject-failed");
        Assert.True(failure.GetProperty("data").GetProperty("timedOut").GetBoolean());
        Assert.InRange(failure.GetProperty("data").GetProperty("ms").GetInt64(), 900, 5000);

        var noop = Server.Services.GetRequiredService<Engine.Plugins.PluginCatalog>().FindInjector("noop")!;
        Assert.Empty(await noop.ListLeftoversAsync(Sdk.Targets.Target.Of("noop", "a"), TestContext.Current.CancellationToken));
    }
}
