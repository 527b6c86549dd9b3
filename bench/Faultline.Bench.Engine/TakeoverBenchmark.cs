using System.Globalization;
using Npgsql;

namespace Faultline.Bench.Engine;

/// <summary>
/// Figure 2: how long a run's faults outlive a node killed with SIGKILL. Real <c>faultline server</c> processes
/// over one database and one plugin state directory (as nodes on one host share the noop markers), with a short
/// lease. Each round: the only live node starts a run (so it owns it) holding two noop faults for far longer than
/// the measurement; once the run observes, a second node joins; after a random fraction of the renewal period
/// the benchmark stamps PostgreSQL's clock, kills the owner and reads when the dead owner's lease expires; it
/// ends when every fault row of the run has <c>removed_at</c>, stamped by the survivor with PostgreSQL's
/// <c>now()</c>. The survivor owns the next round's run, and a fresh node joins to survive it.
/// </summary>
internal sealed class TakeoverBenchmark(BenchDatabase database, HealthSwitch health, EngineBenchOptions options, string faultlineDll, string pluginPath)
{
    private const string HealthSlot = "takeover";

    /// <summary>Owners renew their leases every third of the TTL (<c>LeaseKeeperOptions.RenewFraction</c>).</summary>
    private const double RenewFraction = 1.0 / 3;

    /// <summary>Far beyond the lease TTL: only a takeover can end the run.</summary>
    private static readonly TimeSpan FaultDuration = TimeSpan.FromSeconds(120);

    /// <summary>A cold `dotnet faultline.dll` start, JIT included, on a small and busy machine.</summary>
    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(90);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public async Task<TakeoverResult> RunAsync(CancellationToken cancellationToken)
    {
        var connectionString = await database.CreateDatabaseAsync("takeover", cancellationToken);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var queries = new RunQueries(dataSource);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["FAULTLINE_DB"] = connectionString,
            ["FAULTLINE_PLUGIN_PATH"] = pluginPath,
            ["FAULTLINE_STATE_DIR"] = Path.Combine(database.Root, "cluster-state"),
            ["FAULTLINE_LEASE_TTL_MS"] = Milliseconds(options.LeaseTtl),
            ["FAULTLINE_POLL_MS"] = Milliseconds(options.TakeoverPoll),
            ["FAULTLINE_HEARTBEAT_MS"] = "300",
            ["FAULTLINE_LOG_FORMAT"] = "text",
        };
        health.Set(HealthSlot, healthy: true);

        var nodes = new List<ServerProcess>();
        var clients = new List<FaultlineClient>();
        try
        {
            var owner = await StartNodeAsync(environment, nodes, clients, null, cancellationToken);
            var samples = new List<TakeoverSample>();
            var anomalies = new List<string>();
            for (var round = 0; round < options.Takeovers; round++)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"takeover-{round}");
                var experimentId = await owner.Client.CreateExperimentAsync(
                    NoopExperiment.Yaml(name, [$"{name}-a", $"{name}-b"], health.UrlOf(HealthSlot), FaultDuration), cancellationToken);
                var runId = await owner.Client.StartRunAsync(experimentId, cancellationToken);
                (string State, Guid? Owner)? seen = null;
                await Poll.UntilAsync(
                    async () => (seen = await queries.StateAsync(runId, cancellationToken)) is ("observing", _) or ("completed", _),
                    Patience, () => $"run {runId} observes on node {owner.NodeId} (last seen: {seen?.State ?? "none"})", cancellationToken);
                if (seen is not ("observing", var runOwner) || runOwner != owner.NodeId)
                {
                    throw new InvalidOperationException($"The takeover run did not reach observing on the only live node: {(await queries.OutcomeAsync(runId, cancellationToken)).Describe()}");
                }

                var survivor = await StartNodeAsync(environment, nodes, clients, owner.Client.ApiKey, cancellationToken);

                // Once unmeasured: the first call JITs the query path and warms the connection, and the stamp that
                // dates the kill must come back fast to date it closely.
                _ = await queries.StampAsync(cancellationToken);

                // Otherwise every kill would land at the same point of the owner's renewal cycle (a node starts in
                // about the same time every round), and the figure would show one lease remainder, not the spread.
                await Task.Delay(options.LeaseTtl * RenewFraction * Random.Shared.NextDouble(), cancellationToken);
                var kill = await queries.StampAsync(cancellationToken);
                owner.Process.KillHard();
                await owner.Process.WaitForExitAsync(cancellationToken);

                // Read once the owner is dead, so no renewal can move it any more; the survivor cannot have claimed the
                // lease yet, since at least two thirds of the TTL were left at the kill.
                var lease = await queries.LeaseAsync(runId, cancellationToken);
                var leaseExpiresAt = lease is { } held && held.Owner == owner.NodeId ? held.ExpiresAt : (DateTime?)null;

                RunOutcome? outcome = null;
                await Poll.UntilAsync(
                    async () => (outcome = await queries.OutcomeAsync(runId, cancellationToken)) is { State: "completed" },
                    options.LeaseTtl + Patience, () => $"the survivor closes run {runId} ({outcome?.Describe()})", cancellationToken);
                var takenOver = await queries.FirstEventAsync(runId, "run.takeover", onlyBreaches: false, cancellationToken);
                if (outcome is not { Verdict: "aborted", AbortCause: "lost-owner", AllFaultsRemoved: true, Faults: 2, LastRemovedAt: { } removedAt }
                    || outcome.OwnerNode != survivor.NodeId || leaseExpiresAt is not { } expiresAt || takenOver is not { } claimedAt)
                {
                    anomalies.Add($"round {round}: not taken over by node {survivor.NodeId} with both faults removed: {outcome?.Describe()}");
                }
                else
                {
                    samples.Add(new TakeoverSample(
                        (removedAt - kill.At).TotalMilliseconds,
                        (expiresAt - kill.At).TotalMilliseconds,
                        (removedAt - expiresAt).TotalMilliseconds,
                        (claimedAt - expiresAt).TotalMilliseconds,
                        (removedAt - claimedAt).TotalMilliseconds,
                        kill.RoundTrip.TotalMilliseconds));
                }

                owner = survivor;
            }

            return new TakeoverResult(options.Takeovers, options.LeaseTtl, options.TakeoverPoll, samples, anomalies);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }

            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Starts a node and waits until it has joined. The first one (no <paramref name="apiKey"/> yet) bootstraps the
    /// empty database and prints the owner key, which every later node's client uses.
    /// </summary>
    private async Task<(ServerProcess Process, Guid NodeId, FaultlineClient Client)> StartNodeAsync(
        Dictionary<string, string> environment, List<ServerProcess> nodes, List<FaultlineClient> clients, string? apiKey, CancellationToken cancellationToken)
    {
        var process = ServerProcess.Start(faultlineDll, environment);
        nodes.Add(process);
        if (apiKey is null)
        {
            apiKey = (await process.WaitForLineAsync(@"FAULTLINE_API_KEY=(flk_\S+)", StartPatience, cancellationToken)).Groups[1].Value;
        }

        var address = new Uri((await process.WaitForLineAsync(@"Faultline is up at (http://127\.0\.0\.1:\d+)", StartPatience, cancellationToken)).Groups[1].Value);
        var nodeId = Guid.Parse((await process.WaitForLineAsync(@"Node ([0-9a-f-]{36}) joined", StartPatience, cancellationToken)).Groups[1].Value, CultureInfo.InvariantCulture);
        var client = new FaultlineClient(address, apiKey);
        clients.Add(client);
        return (process, nodeId, client);
    }

    private static string Milliseconds(TimeSpan span) => ((long)span.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
}
