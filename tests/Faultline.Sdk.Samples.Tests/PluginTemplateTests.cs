using System.Text.Json;
using Faultline.Engine.Plugins;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;
using Microsoft.Extensions.Logging.Abstractions;

namespace Faultline.Sdk.Samples.Tests;

/// <summary>
/// sdk/templates/faultline-plugin as a plugin author meets it: installed into a private template hive, a new
/// plugin made from it, built against the packed SDK, its generated conformance tests run, and the result
/// loaded by the real plugin host.
/// </summary>
[Collection(OutOfTreeBuilds.Name)]
public sealed class PluginTemplateTests(OutOfTreeWorkspace workspace)
{
    private const int Deadline = 30 * 60 * 1000;

    [Fact(Timeout = Deadline)]
    public async Task A_plugin_made_with_dotnet_new_builds_passes_its_conformance_tests_and_loads()
    {
        var token = TestContext.Current.CancellationToken;
        var pack = await workspace.PackSdkAsync();
        Assert.True(pack.Succeeded, pack.Describe());

        using var work = new TempDirectory("faultline-template-");
        var hive = work.Combine("template-hive");
        var install = await Dotnet.RunAsync(
            work.Path,
            ["new", "install", Path.Combine(RepositoryRoot.Path, "sdk", "templates", "faultline-plugin"), "--debug:custom-hive", hive],
            TimeSpan.FromMinutes(3),
            workspace.Environment,
            token);
        Assert.True(install.Succeeded, install.Describe());

        var solution = work.Combine("Contoso.Faultline.Hello");
        var create = await Dotnet.RunAsync(
            work.Path,
            ["new", "faultline-plugin", "-n", "Contoso.Faultline.Hello", "-o", solution, "--injector", "contoso.hello", "--sdk-feed", workspace.Feed, "--debug:custom-hive", hive],
            TimeSpan.FromMinutes(3),
            workspace.Environment,
            token);
        Assert.True(create.Succeeded, create.Describe());
        Assert.True(File.Exists(Path.Combine(solution, "Contoso.Faultline.Hello.sln")), create.Describe());

        var build = await Dotnet.RunAsync(
            solution,
            ["build", "Contoso.Faultline.Hello.sln", "-c", "Release", "--disable-build-servers", "--nologo"],
            TimeSpan.FromMinutes(10),
            workspace.Environment,
            token);
        Assert.True(build.Succeeded, build.Describe());
        Assert.Equal(
            Path.TrimEndingDirectorySeparator(workspace.Feed),
            Path.TrimEndingDirectorySeparator(LocalSdkFeed.SourceOf(workspace.PackageCache, "Faultline.Sdk.Testing", LocalSdkFeed.Version) ?? "(not restored)"));

        // Out of the box, the generated conformance tests pass, the fresh-process rollback through the CLI included.
        var results = work.Combine("test-results");
        var test = await Dotnet.RunAsync(
            solution,
            ["test", "Contoso.Faultline.Hello.sln", "-c", "Release", "--no-build", "--nologo", "--logger", "trx;LogFileName=hello.trx", "--results-directory", results],
            TimeSpan.FromMinutes(5),
            new Dictionary<string, string>(workspace.Environment) { ["FAULTLINE_CLI"] = FaultlineCli.Path },
            token);
        Assert.True(test.Succeeded, test.Describe());
        var counters = TrxCounters.Read(Path.Combine(results, "hello.trx"));
        Assert.True(counters.Total >= 5, $"Only {counters.Total} tests were found: {test.Describe()}");
        Assert.Equal(counters.Total, counters.Passed);

        var staged = Path.Combine(solution, "artifacts", "plugins");
        Assert.False(File.Exists(Path.Combine(staged, "contoso.faultline.hello", "Faultline.Sdk.dll")), "The plugin folder ships Faultline.Sdk.dll, which only the host may provide.");
        using var state = new TempDirectory("faultline-plugin-state-");
        var catalog = new PluginCatalog(new PluginHostOptions { SearchPaths = [staged], StateRoot = state.Path }, NullLogger<PluginCatalog>.Instance);
        var plugin = Assert.Single(catalog.Plugins);
        Assert.True(plugin.Status == PluginStatus.Loaded, $"{plugin.Id} is {plugin.Status}: {plugin.Error}");
        Assert.Equal("contoso.faultline.hello", plugin.Id);
        var injector = catalog.FindInjector("contoso.hello");
        Assert.NotNull(injector);

        using var target = new TempDirectory("faultline-marker-target-");
        var request = new FaultRequest(
            $"template-{Guid.NewGuid():N}",
            Guid.NewGuid(),
            Target.Of(TargetKinds.Directory, target.Path),
            JsonSerializer.SerializeToElement(new { note = "made by dotnet new" }),
            TimeSpan.FromMinutes(1),
            DateTimeOffset.UtcNow.AddMinutes(1));
        var handle = await injector.InjectAsync(request, token);
        Assert.True((await injector.VerifyAsync(handle, token)).InEffect);
        Assert.Equal(RollbackStatus.Removed, (await injector.RollbackAsync(handle, token)).Status);
        Assert.False((await injector.VerifyAsync(handle, token)).InEffect);
    }
}
