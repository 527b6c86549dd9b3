using System.Collections.Frozen;

namespace Faultline.Plugins.Datadog;

/// <summary>
/// The Datadog sites (regions) a probe may name, and the API host of each: <c>https://api.&lt;site&gt;</c>.
/// Each site is a separate Datadog with its own keys, so a wrong site is refused rather than guessed.
/// Reference: https://docs.datadoghq.com/getting_started/site/ and the per-site endpoint table of
/// https://docs.datadoghq.com/api/latest/metrics/query-timeseries-points/.
/// </summary>
internal static class DatadogSites
{
    /// <summary>The site used when a configuration names neither <c>site</c> nor <c>url</c> (US1, as every Datadog client).</summary>
    public const string Default = "datadoghq.com";

    // Also in DatadogSettings.Schema, which must stay a constant.
    public static readonly IReadOnlyList<string> All =
    [
        "datadoghq.com",
        "datadoghq.eu",
        "us3.datadoghq.com",
        "us5.datadoghq.com",
        "ap1.datadoghq.com",
        "ap2.datadoghq.com",
        "ddog-gov.com",
    ];

    private static readonly FrozenSet<string> Known = All.ToFrozenSet(StringComparer.Ordinal);

    public static bool IsKnown(string site) => Known.Contains(site);

    /// <summary>The API base address of a known site, e.g. <c>https://api.datadoghq.eu/</c>.</summary>
    public static Uri ApiBase(string site) =>
        IsKnown(site) ? new Uri($"https://api.{site}/", UriKind.Absolute) : throw new ArgumentOutOfRangeException(nameof(site), site, "not a Datadog site");
}
