using Faultline.Plugins.Network.Tests.Lab;
using Faultline.Testing;

namespace Faultline.Plugins.Network.Tests.Seed;

/// <summary>
/// The seed's headline experiment, for real: its NetworkChaos manifest, unchanged, stored through the API,
/// fired by its own schedule, finds the payment-service pod through the static inventory, adds 200 ms ± 50 ms
/// to every packet the pod sends for the manifest's 300 s, and leaves no trace once the run ends.
/// </summary>
public sealed class SeedNetworkChaosTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_seeds_payment_latency_manifest_runs_on_its_schedule_against_the_labelled_pod()
    {
        LabRequirements.Require("ip", "nsenter", "iptables", "ping");
        await using var pod = await PaymentServiceNamespace.StartAsync();
        var staged = TestServer.StagedPlugins();
        var plugins = new Engine.Plugins.PluginHostOptions
        {
            SearchPaths = staged.SearchPaths,
            StateRoot = staged.StateRoot,
            Settings = new Dictionary<string, IReadOnlyDictionary<string, string>> { ["faultline.network"] = new Dictionary<string, string> { ["inventory"] = pod.InventoryPath } },
        };
        await using var server = await TestServer.StartAsync(postgres, "seednetworkchaos", plugins: plugins);
        using var api = server.Client(server.OwnerKey);
        var manifest = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "examples", "chaos-mesh", "payment-latency-networkchaos.yaml"), Token);
        var experiment = await api.CreateExperimentAsync(manifest);
        var before = await PingPodAsync(pod, 10);

        // The schedule is @every 10m: once the scheduler has computed the next firing, bring that moment forward
        // instead of waiting ten minutes. The firing itself is the scheduler's, as on any day.
        await Poll.UntilAsync(async () => await server.ScalarAsync<long>($"select count(*) from experiments where id = '{experiment}' and next_fire_at is not null") == 1, TimeSpan.FromSeconds(10), "the schedule has a next firing");
        Assert.True(await server.ScalarAsync<bool>($"select next_fire_at between now() + interval '9 minutes' and now() + interval '10 minutes 1 second' from experiments where id = '{experiment}'"));
        await server.ScalarAsync<long>($"with fired as (update experiments set next_fire_at = now() where id = '{experiment}' returning 1) select count(*) from fired");

        Guid runId = default;
        await Poll.UntilAsync(async () =>
        {
            var runs = (await (await api.GetAsync(new Uri($"/api/v1/runs?experimentId={experiment}", UriKind.Relative), Token)).ReadJsonAsync()).GetProperty("items");
            if (runs.GetArrayLength() == 0)
            {
                return false;
            }

            runId = runs[0].GetProperty("id").GetGuid();
            return true;
        }, TimeSpan.FromSeconds(10), "the schedule fired a run");
        var observing = await api.WaitForRunAsync(runId, TimeSpan.FromSeconds(30), run => run.GetProperty("state").GetString() == "observing");
        var during = await PingPodAsync(pod, 30);

        Assert.Equal("schedule", observing.GetProperty("trigger").GetString());
        var fault = Assert.Single((await api.GetRunAsync(runId)).GetProperty("faults").EnumerateArray());
        Assert.Equal("network.delay", fault.GetProperty("injector").GetString());
        Assert.Equal("pod/payment-service-1", fault.GetProperty("target").GetString());
        Assert.Contains("[NfQueue]", fault.GetProperty("verifiedEvidence").GetString(), StringComparison.Ordinal);
        Assert.True(fault.GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddSeconds(250), "the fault lasts the manifest's 300 s");
        Assert.True(before.Rtt.Median < TimeSpan.FromMilliseconds(5), $"before: {before}");
        Assert.InRange(during.Rtt.Median.TotalMilliseconds, 150, 260);

        // The manifest's duration is 300 s: the run holds the delay that long, then removes it by itself.
        var closed = await api.WaitForRunAsync(runId, TimeSpan.FromSeconds(360));
        var after = await PingPodAsync(pod, 10);

        Assert.Equal("passed", closed.GetProperty("verdict").GetString());
        var removed = Assert.Single(closed.GetProperty("faults").EnumerateArray());
        Assert.Equal("removed", removed.GetProperty("state").GetString());
        var held = removed.GetProperty("removedAt").GetDateTimeOffset() - removed.GetProperty("injectedAt").GetDateTimeOffset();
        Assert.InRange(held.TotalSeconds, 300, 310);
        Assert.True(after.Rtt.Median < TimeSpan.FromMilliseconds(5), $"after: {after}");
        var residue = await ResidueInspector.InspectAsync(pod.Namespace, [pod.PodInterface, "lo"], Token);
        Assert.False(residue.HasTrace, residue.ToString());
    }

    private static async Task<PingResult> PingPodAsync(PaymentServiceNamespace pod, int count)
    {
        var commands = new Faultline.Plugins.Network.Host.HostCommands();
        var result = await commands.RunAsync(Namespaces.NetworkNamespace.Current, "ping", ["-c", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", "0.05", "-W", "2", pod.PodAddress.ToString()], Token);
        return PingResult.Parse(result.Output);
    }
}
