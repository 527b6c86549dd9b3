using System.Diagnostics;
using System.Text.Json;
using Faultline.Engine.Plugins;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;
using Faultline.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Faultline.Plugins.Noop.Tests;

/// <summary>
/// The staged plugin, loaded by the real plugin host: the deliberate failures reach the host's guard, whose
/// leftover rollback must remove the marker each failed inject left.
/// </summary>
public sealed class NoopInHostTests : IDisposable
{
    private static readonly string Staged = Path.Combine(RepositoryRoot.Path, "artifacts", "plugins", "faultline.noop");

    private readonly string _plugins = Directory.CreateTempSubdirectory("faultline-plugins-").FullName;
    private readonly string _stateRoot = Directory.CreateTempSubdirectory("faultline-plugin-state-").FullName;
    private readonly PluginCatalog _catalog;

    public NoopInHostTests()
    {
        // A private copy of the staged folder: the host sees this plugin alone, whatever else is staged.
        Assert.True(File.Exists(Path.Combine(Staged, "faultline-plugin.json")), $"{Staged} is not staged: build plugins/Faultline.Plugins.Noop first.");
        var folder = Directory.CreateDirectory(Path.Combine(_plugins, "faultline.noop")).FullName;
        foreach (var file in Directory.GetFiles(Staged))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        _catalog = new PluginCatalog(
            new PluginHostOptions { SearchPaths = [_plugins], StateRoot = _stateRoot, Timeouts = new PluginTimeouts { Inject = TimeSpan.FromSeconds(1) } },
            NullLogger<PluginCatalog>.Instance);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private string Markers => Path.Combine(_stateRoot, "faultline.noop");

    [Fact]
    public void The_staged_plugin_loads_without_its_own_copy_of_the_sdk()
    {
        var plugin = Assert.Single(_catalog.Plugins);
        Assert.True(plugin.Status == PluginStatus.Loaded, $"faultline.noop is {plugin.Status}: {plugin.Error}");
        Assert.Equal("faultline.noop", plugin.Id);
        Assert.Equal("noop", Assert.Single(plugin.Injectors).Name);
        Assert.False(File.Exists(Path.Combine(Staged, "Faultline.Sdk.dll")), "The plugin folder ships Faultline.Sdk.dll, which only the host may provide.");
    }

    [Fact]
    public async Task A_full_lifecycle_through_the_host_leaves_nothing()
    {
        var injector = _catalog.FindInjector("noop")!;
        var request = Request(new { });

        Assert.True((await injector.ValidateAsync(request, Token)).IsValid);
        var handle = await injector.InjectAsync(request, Token);
        Assert.True((await injector.VerifyAsync(handle, Token)).InEffect);
        Assert.Single(Directory.GetFiles(Markers, "noop-*.json"));
        Assert.Equal(RollbackStatus.Removed, (await injector.RollbackAsync(FaultHandle.FromJson(handle.ToJson()), Token)).Status);
        Assert.Empty(Directory.GetFiles(Markers));
    }

    [Fact]
    public async Task FailInject_is_rolled_back_by_the_host()
    {
        var injector = _catalog.FindInjector("noop")!;

        var failure = await Assert.ThrowsAsync<InjectFailedException>(() => injector.InjectAsync(Request(new { failInject = true }), Token));

        Assert.False(failure.TimedOut);
        Assert.Contains("forced to fail", failure.Message, StringComparison.Ordinal);
        Assert.True(failure.Cleanup.Completed, failure.Message);
        Assert.Equal(1, failure.Cleanup.Removed);
        Assert.Empty(Directory.GetFiles(Markers));
    }

    [Fact]
    public async Task An_inject_delayed_past_the_host_deadline_is_abandoned_and_rolled_back()
    {
        var injector = _catalog.FindInjector("noop")!;
        var clock = Stopwatch.StartNew();

        var failure = await Assert.ThrowsAsync<InjectFailedException>(() => injector.InjectAsync(Request(new { injectDelay = "10s" }), Token));

        Assert.True(failure.TimedOut, failure.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(9), $"the host waited {clock.Elapsed} for a delayed inject");
        Assert.Equal(1, failure.Cleanup.Removed);
        Assert.Empty(Directory.GetFiles(Markers));
    }

    [Fact]
    public async Task FailVerify_reaches_the_host_as_a_fault_not_in_effect()
    {
        var injector = _catalog.FindInjector("noop")!;
        var handle = await injector.InjectAsync(Request(new { failVerify = true }), Token);

        var verification = await injector.VerifyAsync(handle, Token);

        Assert.False(verification.InEffect);
        Assert.Contains("verify forced to fail", verification.Evidence, StringComparison.Ordinal);
        Assert.Equal(RollbackStatus.Removed, (await injector.RollbackAsync(handle, Token)).Status);
    }

    public void Dispose()
    {
        Directory.Delete(_plugins, recursive: true);
        Directory.Delete(_stateRoot, recursive: true);
    }

    private static FaultRequest Request(object parameters) => new(
        $"host-{Guid.NewGuid():N}",
        Guid.NewGuid(),
        Target.Of(TargetKinds.Host, $"h-{Guid.NewGuid():N}"),
        JsonSerializer.SerializeToElement(parameters),
        TimeSpan.FromMinutes(1),
        DateTimeOffset.UtcNow.AddMinutes(1));
}
