using System.Net.Http.Headers;

namespace Faultline.Tests.Cluster;

/// <summary>
/// Several real faultline nodes over one database, sharing one state directory (as nodes on one host share the
/// plugins' fault markers), with a short lease so a takeover happens in seconds.
/// </summary>
internal sealed class ClusterNodes : IAsyncDisposable
{
    public static readonly TimeSpan LeaseTtl = TimeSpan.FromSeconds(3);

    private readonly List<FaultlineProcess> _nodes = [];

    private ClusterNodes(Dictionary<string, string?> environment, string stateDirectory)
    {
        Environment = environment;
        StateDirectory = stateDirectory;
    }

    public Dictionary<string, string?> Environment { get; }

    public string StateDirectory { get; }

    public string NoopMarkers => Path.Combine(StateDirectory, "plugins", "faultline.noop");

    public string Key { get; private set; } = "";

    public static async Task<ClusterNodes> CreateAsync(PostgresServer postgres, string name) =>
        Create(await postgres.CreateDatabaseAsync(name));

    /// <summary>Nodes over the database at <paramref name="connectionString"/> (the nodes migrate it at start).</summary>
    public static ClusterNodes Create(string connectionString)
    {
        var state = Directory.CreateTempSubdirectory("faultline-cluster-state-").FullName;
        var environment = new Dictionary<string, string?>
        {
            ["FAULTLINE_DB"] = connectionString,
            ["FAULTLINE_PLUGIN_PATH"] = Path.Combine(RepositoryRoot.Path, "artifacts", "plugins"),
            ["FAULTLINE_STATE_DIR"] = state,
            ["FAULTLINE_HEARTBEAT_MS"] = "300",
            ["FAULTLINE_LEASE_TTL_MS"] = ((int)LeaseTtl.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["FAULTLINE_POLL_MS"] = "100",
            ["FAULTLINE_RECOVERY_WINDOW_MS"] = "2000",
            ["FAULTLINE_LOG_FORMAT"] = "text",
        };
        return new ClusterNodes(environment, state);
    }

    /// <summary>Starts a node and waits until it has joined; the first one's bootstrap key becomes <see cref="Key"/>.</summary>
    public async Task<(FaultlineProcess Process, Guid NodeId, HttpClient Client)> StartNodeAsync(int port = 0)
    {
        var process = FaultlineProcess.Start(Environment, "server", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _nodes.Add(process);
        if (_nodes.Count == 1)
        {
            Key = (await process.WaitForLineAsync(@"FAULTLINE_API_KEY=(flk_\S+)", TimeSpan.FromSeconds(90))).Groups[1].Value;
        }

        // A node listening on every address (FAULTLINE_HOST=0.0.0.0) is reached here through loopback all the same.
        var listening = (await process.WaitForLineAsync(@"Faultline is up at http://[\d.]+:(\d+)", TimeSpan.FromSeconds(90))).Groups[1].Value;
        var address = new Uri($"http://127.0.0.1:{listening}");
        var nodeId = Guid.Parse((await process.WaitForLineAsync(@"Node ([0-9a-f-]{36}) joined", TimeSpan.FromSeconds(90))).Groups[1].Value);
        var client = LoopbackHttp.CreateClient(address);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        return (process, nodeId, client);
    }

    /// <summary>Noop fault markers present now (one file per applied fault).</summary>
    public IReadOnlyList<string> Markers() =>
        Directory.Exists(NoopMarkers) ? [.. Directory.EnumerateFiles(NoopMarkers, "noop-*.json")] : [];

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            if (!node.HasExited)
            {
                node.Signal(Signals.Continue);
            }

            await node.DisposeAsync();
        }
    }
}
