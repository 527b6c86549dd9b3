using System.Text.Json;
using System.Text.RegularExpressions;

namespace Faultline.Deploy.Tests.Kubernetes;

/// <summary>
/// The paths a control-plane node really serves, from the committed OpenAPI contract (which the API tests keep
/// equal to the server) plus /metrics, which is left out of the contract and found where the server maps it.
/// </summary>
internal static partial class ServerPaths
{
    public static IReadOnlySet<string> All { get; } = Load();

    private static HashSet<string> Load()
    {
        var contract = Path.Combine(RepositoryRoot.Path, "openapi", "faultline.v1.json");
        using var document = JsonDocument.Parse(File.ReadAllText(contract));
        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(path => path.Name).ToHashSet(StringComparer.Ordinal);
        var application = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "src", "Faultline.Api", "Hosting", "FaultlineApplication.cs"));
        foreach (Match match in MetricsMapping().Matches(application))
        {
            paths.Add(match.Groups["path"].Value);
        }

        return paths;
    }

    [GeneratedRegex("""MapPrometheusMetrics\("(?<path>/[^"]*)"\)""")]
    private static partial Regex MetricsMapping();
}
