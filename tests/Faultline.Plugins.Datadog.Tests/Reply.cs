namespace Faultline.Plugins.Datadog.Tests;

/// <summary>
/// One scripted answer of <see cref="FakeDatadog"/>: a status, a body and headers, or no answer at all
/// (<see cref="Hang"/>: the request is held until the client gives up).
/// </summary>
internal sealed record Reply(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null, bool Hang = false)
{
    public static Reply Never { get; } = new(0, "", null, Hang: true);

    /// <summary>A 429 as Datadog sends it: the documented error body and rate-limit headers.</summary>
    public static Reply RateLimited(int resetSeconds, string name = "metrics_query") => new(
        429,
        """{"errors":["Too many requests"]}""",
        new Dictionary<string, string>
        {
            ["X-RateLimit-Limit"] = "100",
            ["X-RateLimit-Period"] = "3600",
            ["X-RateLimit-Remaining"] = "0",
            ["X-RateLimit-Reset"] = resetSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["X-RateLimit-Name"] = name,
        });

    public static Reply Error(int status, string message) => new(status, $$"""{"errors":["{{message}}"]}""");
}
