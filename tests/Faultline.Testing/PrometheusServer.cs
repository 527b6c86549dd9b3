using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Faultline.Testing;

/// <summary>
/// The real Prometheus server (Debian's <c>prometheus</c> package) in a throw-away directory, listening on
/// loopback only and scraping one target every second.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private const string DefaultBinary = "/usr/bin/prometheus";

    private readonly Process _process;
    private readonly DirectoryInfo _directory;
    private readonly StringBuilder _output = new();
    private readonly HttpClient _api;

    private PrometheusServer(Process process, DirectoryInfo directory, Uri apiAddress)
    {
        _process = process;
        _directory = directory;
        Address = apiAddress;
        _api = LoopbackHttp.CreateClient(apiAddress);
    }

    /// <summary>The base of the HTTP API, route prefix included, ending in a slash: <c>http://127.0.0.1:41234/prometheus/</c>.</summary>
    public Uri Address { get; }

    /// <summary>Whether the process has ended (a bad web config ends it right after the start).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Prometheus' stdout and stderr so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// The binary, or the end of the test: under CI=true a missing binary fails (scripts/test installs it), on a
    /// developer machine the test is reported as skipped with the install command, never passed silently.
    /// </summary>
    public static string RequireBinary()
    {
        var binary = FindBinary();
        if (binary is not null)
        {
            return binary;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail("prometheus binary not installed, and CI=true requires this test to run: apt-get install -y prometheus");
        }

        Assert.Skip("prometheus binary not installed: apt-get install prometheus (or run ./scripts/test, which installs it)");
        return null!;
    }

    /// <summary>The prometheus executable: <c>PROMETHEUS_BINARY</c>, else Debian's path, else the PATH; null when none exists.</summary>
    public static string? FindBinary()
    {
        var configured = Environment.GetEnvironmentVariable("PROMETHEUS_BINARY");
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured) ? configured : null;
        }

        if (File.Exists(DefaultBinary))
        {
            return DefaultBinary;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "prometheus"))
            .FirstOrDefault(File.Exists);
    }

    public static PrometheusServer Start(string binary, Uri target, string metricsPath) =>
        Start(binary, target, metricsPath, new PrometheusServerOptions());

    public static PrometheusServer Start(string binary, Uri target, string metricsPath, PrometheusServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        var directory = Directory.CreateTempSubdirectory("faultline-prometheus-");
        var configFile = Path.Combine(directory.FullName, "prometheus.yml");
        File.WriteAllText(configFile, string.Create(CultureInfo.InvariantCulture, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: faultline
                metrics_path: {metricsPath}
                static_configs:
                  - targets: ['{target.Host}:{target.Port}']
            """));

        var port = FreeLoopbackPort();
        var startInfo = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory.FullName,
        };
        startInfo.ArgumentList.Add($"--config.file={configFile}");
        startInfo.ArgumentList.Add($"--storage.tsdb.path={Path.Combine(directory.FullName, "data")}");
        startInfo.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"--web.listen-address=127.0.0.1:{port}"));
        if (options.WebConfig is not null)
        {
            var webConfigFile = Path.Combine(directory.FullName, "web.yml");
            File.WriteAllText(webConfigFile, options.WebConfig);
            startInfo.ArgumentList.Add($"--web.config.file={webConfigFile}");
        }

        var prefix = options.RoutePrefix?.Trim('/') is { Length: > 0 } trimmed ? $"/{trimmed}" : string.Empty;
        if (prefix.Length > 0)
        {
            startInfo.ArgumentList.Add($"--web.route-prefix={prefix}");
        }

        var scheme = options.Https ? "https" : "http";
        var process = new Process { StartInfo = startInfo };
        var server = new PrometheusServer(process, directory, new Uri(string.Create(CultureInfo.InvariantCulture, $"{scheme}://127.0.0.1:{port}{prefix}/")));
        process.OutputDataReceived += (_, line) => server.Append(line.Data);
        process.ErrorDataReceived += (_, line) => server.Append(line.Data);
        try
        {
            process.Start();
        }
        catch
        {
            server._api.Dispose();
            process.Dispose();
            directory.Delete(recursive: true);
            throw;
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>
    /// Polls an instant query until one of its samples equals <paramref name="expected"/>, or fails after
    /// <paramref name="timeout"/> with everything needed to see why: the last answer, the target's health and
    /// Prometheus' own log.
    /// </summary>
    public async Task WaitForValueAsync(string query, double expected, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var lastAnswer = "(no answer yet)";
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                Assert.Fail($"prometheus exited early with code {_process.ExitCode}.\nOutput:\n{Output}");
            }

            try
            {
                var uri = new Uri("api/v1/query?query=" + Uri.EscapeDataString(query), UriKind.Relative);
                using var response = await _api.GetAsync(uri, cancellationToken);
                lastAnswer = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}";
                if (response.IsSuccessStatusCode && SampleValues(lastAnswer[(lastAnswer.IndexOf(' ', StringComparison.Ordinal) + 1)..]).Contains(expected))
                {
                    return;
                }
            }
            catch (HttpRequestException exception)
            {
                // Not listening yet: Prometheus opens its port only after loading the config and the TSDB.
                lastAnswer = exception.Message;
            }
            catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
            {
                lastAnswer = "request timed out: " + exception.Message;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }

        Assert.Fail(
            $"Prometheus did not return {query} == {expected} within {timeout.TotalSeconds:0} s.\n" +
            $"Last query answer: {lastAnswer}\n" +
            $"Targets: {await TargetsAsync(cancellationToken)}\n" +
            $"Prometheus output:\n{Output}");
    }

    /// <summary>The single scrape target's health and last error, from <c>/api/v1/targets</c>.</summary>
    public async Task<(string Health, string LastError)> TargetHealthAsync(CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(await TargetsAsync(cancellationToken));
        var target = document.RootElement.GetProperty("data").GetProperty("activeTargets")[0];
        return (target.GetProperty("health").GetString() ?? string.Empty, target.GetProperty("lastError").GetString() ?? string.Empty);
    }

    public async ValueTask DisposeAsync()
    {
        _api.Dispose();
        try
        {
            // Killing an already exited process is a no-op, so no HasExited race to worry about.
            _process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            _process.Dispose();
            _directory.Delete(recursive: true);
        }
    }

    private static int FreeLoopbackPort()
    {
        // Prometheus cannot be told to pick its own port, so ask the OS for one that is free right now.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static List<double> SampleValues(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(sample => double.Parse(sample.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture))
            .ToList();
    }

    private async Task<string> TargetsAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _api.GetStringAsync(new Uri("api/v1/targets", UriKind.Relative), cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            return "(unavailable: " + exception.Message + ")";
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
