namespace Faultline.Sdk.Samples.Tests;

/// <summary>
/// The newcomer's path end to end: the sample built out of tree, dropped into a plugins folder, the platform
/// started over it, and an experiment run with it through the REST API.
/// </summary>
[Collection(OutOfTreeBuilds.Name)]
public sealed class SamplePluginRunTests(OutOfTreeWorkspace workspace, PostgresServer postgres)
{
    private const int Deadline = 30 * 60 * 1000;
    private const long MiB = 1024 * 1024;

    [Fact(Timeout = Deadline)]
    public async Task The_out_of_tree_sample_dropped_into_a_plugins_folder_runs_in_an_experiment()
    {
        var build = await workspace.BuildSamplesAsync();
        Assert.True(build.Succeeded, build.Describe());
        using var plugins = new TempDirectory("faultline-dropped-plugins-");
        using var state = new TempDirectory("faultline-dropped-state-");
        DirectoryCopy.Copy(Path.Combine(workspace.SamplesDirectory, "artifacts", "plugins", "acme.disk-fill"), plugins.Combine("acme.disk-fill"));

        await using var server = await TestServer.StartAsync(postgres, "sampleplugin", plugins: new Engine.Plugins.PluginHostOptions
        {
            // The dropped folder, plus Faultline's own plugins for the http probe.
            SearchPaths = [plugins.Path, Path.Combine(RepositoryRoot.Path, "artifacts", "plugins")],
            StateRoot = state.Path,
        });
        using var api = server.Client(server.OwnerKey);
        await using var health = await HealthEndpoint.StartAsync();
        using var disk = new TempDirectory("disk-fill-run-");
        var experiment = await api.CreateExperimentAsync($$"""
            apiVersion: faultline.dev/v1
            kind: Experiment
            metadata: { name: disk-fill-run }
            spec:
              hypothesis: The service stays healthy while its disk loses 3 MiB.
              steadyState:
                - { name: health, provider: http, query: success_ratio, config: { url: "{{health.Url}}" }, tolerance: { greaterThanOrEqual: 1 } }
              method:
                - fault: disk.fill
                  selector: { kinds: [directory], targets: ["{{disk.Path}}"] }
                  params: { megabytes: 3 }
                  duration: 2s
            """);

        var runId = await api.StartRunAsync(experiment);
        await api.WaitForRunAsync(runId, TimeSpan.FromSeconds(60), run => run.GetProperty("state").GetString() == "observing");
        var fill = Assert.Single(Directory.EnumerateFiles(disk.Path, ".faultline-fill-*"));
        Assert.Equal(3 * MiB, new FileInfo(fill).Length);

        var done = await api.WaitForRunAsync(runId, TimeSpan.FromSeconds(60));
        Assert.Equal("passed", done.GetProperty("verdict").GetString());
        var fault = Assert.Single(done.GetProperty("faults").EnumerateArray());
        Assert.Equal("disk.fill", fault.GetProperty("injector").GetString());
        Assert.Equal("removed", fault.GetProperty("state").GetString());
        Assert.False(File.Exists(fill), "the run ended but the fill file is still there");
        Assert.Empty(Directory.EnumerateFiles(disk.Path, ".faultline-fill-*"));
    }
}
