using System.Globalization;
using System.Text.Json;
using Faultline.Engine.Plugins;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;
using Microsoft.Extensions.Logging.Abstractions;

namespace Faultline.Sdk.Samples.Tests;

/// <summary>
/// sdk/samples built as a third party builds it (its own solution, the SDK from a package feed), then loaded and
/// used by the real plugin host, and its own conformance tests run.
/// </summary>
[Collection(OutOfTreeBuilds.Name)]
public sealed class DiskFillSampleTests(OutOfTreeWorkspace workspace)
{
    // Packing, restoring into an empty package cache and building take minutes on two cores; each command has its own deadline.
    private const int Deadline = 30 * 60 * 1000;
    private const long MiB = 1024 * 1024;

    [Fact(Timeout = Deadline)]
    public async Task The_sample_built_out_of_tree_loads_in_the_host_and_fills_a_disk_until_rolled_back()
    {
        var build = await workspace.BuildSamplesAsync();
        Assert.True(build.Succeeded, build.Describe());

        // Compiled against the SDK packed a moment ago, never against an older Faultline.Sdk 1.0.0 from some cache.
        Assert.Equal(
            Path.TrimEndingDirectorySeparator(workspace.Feed),
            Path.TrimEndingDirectorySeparator(LocalSdkFeed.SourceOf(workspace.PackageCache, "Faultline.Sdk", LocalSdkFeed.Version) ?? "(not restored)"));

        var staged = Path.Combine(workspace.SamplesDirectory, "artifacts", "plugins", "acme.disk-fill");
        Assert.True(File.Exists(Path.Combine(staged, "faultline-plugin.json")), $"The build did not stage the plugin into {staged}.");
        Assert.True(File.Exists(Path.Combine(staged, "Acme.Faultline.DiskFill.dll")));
        Assert.False(File.Exists(Path.Combine(staged, "Faultline.Sdk.dll")), "The plugin folder ships Faultline.Sdk.dll, which only the host may provide.");

        using var plugins = new TempDirectory("faultline-plugins-");
        using var state = new TempDirectory("faultline-plugin-state-");
        DirectoryCopy.Copy(staged, plugins.Combine("acme.disk-fill"));
        var catalog = new PluginCatalog(new PluginHostOptions { SearchPaths = [plugins.Path], StateRoot = state.Path }, NullLogger<PluginCatalog>.Instance);

        var plugin = Assert.Single(catalog.Plugins);
        Assert.True(plugin.Status == PluginStatus.Loaded, $"acme.disk-fill is {plugin.Status}: {plugin.Error}");
        Assert.Equal("acme.disk-fill", plugin.Id);
        Assert.Equal("disk.fill", Assert.Single(plugin.Injectors).Name);
        var injector = catalog.FindInjector("disk.fill");
        Assert.NotNull(injector);
        Assert.Equal("acme.disk-fill", injector.PluginId);

        using var disk = new TempDirectory("disk-fill-target-");
        var token = TestContext.Current.CancellationToken;
        var request = new FaultRequest(
            $"samples-{Guid.NewGuid():N}",
            Guid.NewGuid(),
            Target.Of(TargetKinds.Directory, disk.Path),
            JsonSerializer.SerializeToElement(new { megabytes = 3 }),
            TimeSpan.FromMinutes(5),
            DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.True((await injector.ValidateAsync(request, token)).IsValid);
        var refused = await injector.ValidateAsync(request with { Parameters = JsonSerializer.SerializeToElement(new { megabytes = 0 }) }, token);
        Assert.Contains(refused.Errors, e => e.Path == "$.megabytes");

        var handle = await injector.InjectAsync(request, token);
        try
        {
            var fill = new FileInfo(Path.Combine(disk.Path, $".faultline-fill-{request.FaultId}"));
            Assert.True(fill.Exists, $"inject did not write {fill.FullName}");
            Assert.Equal(3 * MiB, fill.Length);
            Assert.True(await AllocatedBytesAsync(fill.FullName) >= 3 * MiB, "The fill file is sparse: it takes no disk space.");
            var active = await injector.VerifyAsync(handle, token);
            Assert.True(active.InEffect, active.Evidence);
            Assert.Contains(await injector.ListLeftoversAsync(request.Target, token), leftover => leftover.FaultId == request.FaultId);

            // As after a crash: the serialized handle is all the rollback gets.
            var rollback = await injector.RollbackAsync(FaultHandle.FromJson(handle.ToJson()), token);
            Assert.Equal(RollbackStatus.Removed, rollback.Status);
            Assert.False(File.Exists(fill.FullName), "rollback left the fill file");
            Assert.False((await injector.VerifyAsync(handle, token)).InEffect);
            Assert.Equal(RollbackStatus.AlreadyAbsent, (await injector.RollbackAsync(handle, token)).Status);
            Assert.DoesNotContain(await injector.ListLeftoversAsync(request.Target, token), leftover => leftover.FaultId == request.FaultId);
        }
        finally
        {
            // Idempotent: after a failed assertion this removes the fill and stops its expiry watchdog.
            await injector.RollbackAsync(handle, CancellationToken.None);
        }
    }

    [Fact(Timeout = Deadline)]
    public async Task The_samples_own_conformance_tests_pass_with_the_fresh_process_rollback()
    {
        var build = await workspace.BuildSamplesAsync();
        Assert.True(build.Succeeded, build.Describe());
        Assert.True(File.Exists(FaultlineCli.Path), $"The faultline CLI is not built at {FaultlineCli.Path}.");

        var results = Path.Combine(workspace.Root, "test-results", "samples");
        var environment = new Dictionary<string, string>(workspace.Environment) { ["FAULTLINE_CLI"] = FaultlineCli.Path };
        var test = await Dotnet.RunAsync(
            workspace.SamplesDirectory,
            ["test", "Samples.sln", "-c", "Release", "--no-build", "--nologo", "--logger", "trx;LogFileName=samples.trx", "--results-directory", results],
            TimeSpan.FromMinutes(5),
            environment,
            TestContext.Current.CancellationToken);
        Assert.True(test.Succeeded, test.Describe());

        // Every test ran and passed: the fresh-process rollback through the CLI is not skipped.
        var counters = TrxCounters.Read(Path.Combine(results, "samples.trx"));
        Assert.Equal(0, counters.Failed);
        Assert.True(counters.Total >= 5, $"Only {counters.Total} tests were found: {test.Describe()}");
        Assert.Equal(counters.Total, counters.Passed);
    }

    /// <summary>The blocks the file really occupies (du), which a sparse file of the same length does not.</summary>
    private static async Task<long> AllocatedBytesAsync(string path)
    {
        var du = await ProcessRunner.RunAsync("du", Path.GetDirectoryName(path)!, ["--block-size=1", path], TimeSpan.FromSeconds(30));
        Assert.True(du.Succeeded, du.Describe());
        return long.Parse(du.Output.Split('\t')[0], CultureInfo.InvariantCulture);
    }
}
