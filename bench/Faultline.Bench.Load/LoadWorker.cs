using System.Diagnostics;
using System.Net.Sockets;

namespace Faultline.Bench.Load;

/// <summary>
/// One closed-loop client: sends a request, reads the whole response, sends the next. Only requests that
/// complete inside the measured window count; their latencies go into a preallocated list of Stopwatch
/// ticks, so measuring costs an add, not an allocation.
/// </summary>
internal sealed class LoadWorker(int expectedSamples)
{
    private readonly byte[] _drain = new byte[16 * 1024];

    /// <summary>Latencies of the successful responses completed in the window, in Stopwatch ticks.</summary>
    public List<long> Latencies { get; } = new(expectedSamples);

    /// <summary>Failures completed in the window, by kind ("HTTP 500", "HttpRequestException", ...).</summary>
    public Dictionary<string, int> Errors { get; } = new(StringComparer.Ordinal);

    /// <summary>The first failure's detail (status and body, or exception message), to show what went wrong.</summary>
    public string? FirstErrorDetail { get; private set; }

    public async Task RunAsync(HttpClient client, Scenario scenario, long measureFrom, long measureUntil, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var started = Stopwatch.GetTimestamp();
            if (started >= measureUntil)
            {
                return;
            }

            var (failure, detail) = await SendAsync(client, scenario, cancellationToken);
            var completed = Stopwatch.GetTimestamp();
            if (completed < measureFrom || completed >= measureUntil)
            {
                continue;
            }

            if (failure is null)
            {
                Latencies.Add(completed - started);
            }
            else
            {
                Errors[failure] = Errors.GetValueOrDefault(failure) + 1;
                FirstErrorDetail ??= detail;
            }
        }
    }

    private async Task<(string? Failure, string? Detail)> SendAsync(HttpClient client, Scenario scenario, CancellationToken cancellationToken)
    {
        try
        {
            using var request = scenario.CreateRequest();
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode != scenario.ExpectedStatus)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                return ($"HTTP {(int)response.StatusCode}", $"HTTP {(int)response.StatusCode}: {Truncate(body)}");
            }

            // Latency ends at the last byte, as a real client sees it; draining into a reused buffer
            // keeps the connection reusable without buffering a copy of every body.
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            while (await stream.ReadAsync(_drain, cancellationToken) > 0)
            {
            }

            return (null, null);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or SocketException
                                              || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // A client timeout surfaces as TaskCanceledException without our token being cancelled.
            return (exception.GetType().Name, $"{exception.GetType().Name}: {exception.Message}");
        }
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : string.Concat(text.AsSpan(0, 300), "...");
}
