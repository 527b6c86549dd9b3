using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Faultline.Domain.Experiments;

namespace Faultline.Bench.Engine;

/// <summary>
/// The real Prometheus server (Debian's <c>prometheus</c> package), after tests/Faultline.Testing/PrometheusServer,
/// which the bench must not reference: a child process listening on loopback only, its config and TSDB in the
/// benchmark's temp directory, scraping one target at the configured interval.
/// </summary>
internal sealed class PrometheusProcess : IAsyncDisposable
{
    private const string DefaultBinary = "/usr/bin/prometheus";

    private readonly Process _process;
    private readonly HttpClient _api;
    private readonly StringBuilder _output = new();

    private PrometheusProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        _api = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
    }

    /// <summary>Base of the HTTP API, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Address { get; }

    /// <summary>The executable: <c>PROMETHEUS_BINARY</c>, else Debian's path, else the PATH; null when there is none.</summary>
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

        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "prometheus"))
            .FirstOrDefault(File.Exists);
    }

    public static PrometheusProcess Start(string binary, string directory, Uri target, string metricsPath, TimeSpan scrapeInterval)
    {
        Directory.CreateDirectory(directory);
        var configFile = Path.Combine(directory, "prometheus.yml");
        var interval = Durations.Format(scrapeInterval);

        // A scrape may take at most the interval (Prometheus refuses a longer timeout); on loopback it takes ~1 ms.
        File.WriteAllText(configFile, $"""
            global:
              scrape_interval: {interval}
              scrape_timeout: {interval}
            scrape_configs:
              - job_name: faultline-bench
                metrics_path: {metricsPath}
                static_configs:
                  - targets: ['{target.Host}:{target.Port.ToString(CultureInfo.InvariantCulture)}']
            """);

        var port = FreeLoopbackPort();
        var startInfo = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        startInfo.ArgumentList.Add($"--config.file={configFile}");
        startInfo.ArgumentList.Add($"--storage.tsdb.path={Path.Combine(directory, "data")}");
        startInfo.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"--web.listen-address=127.0.0.1:{port}"));
        var process = new Process { StartInfo = startInfo };
        var prometheus = new PrometheusProcess(process, new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/")));
        process.OutputDataReceived += (_, line) => prometheus.Append(line.Data);
        process.ErrorDataReceived += (_, line) => prometheus.Append(line.Data);
        try
        {
            process.Start();
        }
        catch
        {
            prometheus._api.Dispose();
            process.Dispose();
            throw;
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return prometheus;
    }

    /// <summary>
    /// Polls an instant query until one of its samples equals <paramref name="expected"/>: the value set at the
    /// source has been scraped. Fails with the last answer and Prometheus' log, which say why it was not.
    /// </summary>
    public async Task WaitForValueAsync(string query, double expected, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var lastAnswer = "(no answer yet)";
        await Poll.UntilAsync(
            async () =>
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"prometheus exited with code {_process.ExitCode}:\n{Output}");
                }

                try
                {
                    lastAnswer = await _api.GetStringAsync(new Uri("api/v1/query?query=" + Uri.EscapeDataString(query), UriKind.Relative), cancellationToken);
                    return SampleValues(lastAnswer).Contains(expected);
                }
                catch (HttpRequestException exception)
                {
                    // Not listening yet: Prometheus opens its port only after loading the config and the TSDB.
                    lastAnswer = exception.Message;
                    return false;
                }
            },
            timeout,
            () => $"Prometheus returns {query} == {expected.ToString(CultureInfo.InvariantCulture)} (last answer: {lastAnswer}; log:\n{Output})",
            cancellationToken,
            TimeSpan.FromMilliseconds(50));
    }

    /// <summary>
    /// The timestamp of the first stored sample of <paramref name="selector"/> at <paramref name="value"/> from
    /// <paramref name="notBefore"/> on (UTC), i.e. the scrape that picked it up, or null if none has. Prometheus
    /// stamps a sample with the start of its scrape, in whole ms of the system clock, the clock PostgreSQL reads too.
    /// </summary>
    public async Task<DateTime?> FirstSampleAtAsync(string selector, double value, DateTime notBefore, CancellationToken cancellationToken)
    {
        var json = await _api.GetStringAsync(new Uri("api/v1/query?query=" + Uri.EscapeDataString(selector + "[5m]"), UriKind.Relative), cancellationToken);
        using var document = JsonDocument.Parse(json);
        var earliest = new DateTimeOffset(notBefore, TimeSpan.Zero).ToUnixTimeMilliseconds();
        return document.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .SelectMany(series => series.GetProperty("values").EnumerateArray())
            .Select(point => (Ms: (long)Math.Round(point[0].GetDouble() * 1000), Value: double.Parse(point[1].GetString()!, CultureInfo.InvariantCulture)))
            .Where(point => point.Ms >= earliest && point.Value == value)
            .Select(point => (DateTime?)DateTimeOffset.FromUnixTimeMilliseconds(point.Ms).UtcDateTime)
            .Min();
    }

    public async ValueTask DisposeAsync()
    {
        _api.Dispose();
        try
        {
            // Killing an exited process is a no-op; the TSDB goes with the benchmark's temp directory.
            _process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            _process.Dispose();
        }
    }

    private string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private static int FreeLoopbackPort()
    {
        // Prometheus cannot pick its own port and report it, so take one the OS says is free right now.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static List<double> SampleValues(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(sample => double.Parse(sample.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture))];
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
