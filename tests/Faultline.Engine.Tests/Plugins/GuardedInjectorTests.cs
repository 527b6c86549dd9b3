using System.Diagnostics;
using System.Text.Json;
using Faultline.Engine.Plugins;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;

namespace Faultline.Engine.Tests.Plugins;

/// <summary>A failed or hung inject must not leave its fault behind, and no plugin call may hang the host.</summary>
public sealed class GuardedInjectorTests : IDisposable
{
    private readonly PluginFolder _folder = new();
    private readonly PluginCatalog _catalog;

    public GuardedInjectorTests()
    {
        _folder.Add("fixture.misbehaving");
        _catalog = _folder.Load(timeouts: new PluginTimeouts { Inject = TimeSpan.FromMilliseconds(500), Verify = TimeSpan.FromMilliseconds(300) });
    }

    private string Markers => Path.Combine(_folder.StateRoot, "fixture.misbehaving");

    [Fact]
    public async Task An_inject_hanging_past_its_deadline_is_abandoned_and_what_it_applied_is_rolled_back()
    {
        var injector = _catalog.FindInjector("fixture.hang")!;
        var clock = Stopwatch.StartNew();

        var failure = await Assert.ThrowsAsync<InjectFailedException>(() => injector.InjectAsync(Request(), TestContext.Current.CancellationToken));

        Assert.True(failure.TimedOut);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the host waited {clock.Elapsed} for a hung plugin");
        Assert.Contains("did not finish within 0.5 s", failure.Message, StringComparison.Ordinal);
        Assert.True(failure.Cleanup.Completed);
        Assert.Equal(1, failure.Cleanup.Removed);
        Assert.Empty(Directory.GetFiles(Markers, "*.marker"));
    }

    [Fact]
    public async Task An_inject_throwing_half_way_is_rolled_back()
    {
        var injector = _catalog.FindInjector("fixture.throw")!;

        var failure = await Assert.ThrowsAsync<InjectFailedException>(() => injector.InjectAsync(Request(), TestContext.Current.CancellationToken));

        Assert.False(failure.TimedOut);
        Assert.Contains("half-applied and failed", failure.Message, StringComparison.Ordinal);
        Assert.Equal(1, failure.Cleanup.Removed);
        Assert.Empty(Directory.GetFiles(Markers, "*.marker"));
    }

    [Fact]
    public async Task Cleanup_after_a_failed_inject_touches_only_that_fault()
    {
        var other = await _catalog.FindInjector("fixture.slow-verify")!.InjectAsync(Request(), TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<InjectFailedException>(() => _catalog.FindInjector("fixture.throw")!.InjectAsync(Request(), TestContext.Current.CancellationToken));

        Assert.Single(Directory.GetFiles(Markers, "*.marker"));
        Assert.Equal(RollbackStatus.Removed, (await _catalog.FindInjector("fixture.slow-verify")!.RollbackAsync(other, TestContext.Current.CancellationToken)).Status);
    }

    [Fact]
    public async Task A_hanging_verify_times_out_instead_of_hanging_the_caller()
    {
        var injector = _catalog.FindInjector("fixture.slow-verify")!;
        var handle = await injector.InjectAsync(Request(), TestContext.Current.CancellationToken);

        var failure = await Assert.ThrowsAsync<PluginCallException>(() => injector.VerifyAsync(handle, TestContext.Current.CancellationToken));

        Assert.True(failure.TimedOut);
        Assert.Contains("fixture.slow-verify", failure.Message, StringComparison.Ordinal);
        Assert.Equal(RollbackStatus.Removed, (await injector.RollbackAsync(handle, TestContext.Current.CancellationToken)).Status);
    }

    public void Dispose() => _folder.Dispose();

    private static FaultRequest Request() => new(
        $"fault-{Guid.NewGuid():N}", Guid.NewGuid(), Target.Of(TargetKinds.Host, "local"), JsonSerializer.SerializeToElement(new { }),
        TimeSpan.FromSeconds(30), DateTimeOffset.UtcNow.AddSeconds(30));
}
