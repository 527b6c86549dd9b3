using Faultline.Deploy.Tests.Tools;
using Faultline.Deploy.Tests.Yaml;

namespace Faultline.Deploy.Tests.Kubernetes;

/// <summary>
/// kubectl's own reading of deploy/kubernetes, without a cluster. What kubectl cannot do offline: apply/create
/// --dry-run=client map each kind through the API server's discovery documents and --validate needs its OpenAPI
/// schema, so both need a server; the first test records that attempt. What it can: decode every document the way
/// apply would (label --local) and build the kustomization.
/// </summary>
public sealed class KubectlTests
{
    [Fact]
    public async Task Kubectl_decodes_every_manifest_file_into_the_objects_the_tests_check()
    {
        using var kubectl = OfflineKubectl.FindOrSkip();
        foreach (var file in DeployPaths.ManifestFiles())
        {
            var result = await kubectl.RunAsync("label", "--local", "-f", file, "faultline.dev/checked=true", "-o", "name");
            Assert.True(result.Succeeded, result.ToString());
            var expected = Manifest.Load(file).Select(ResourceName).Order(StringComparer.Ordinal);
            Assert.Equal(expected, result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task Kubectl_builds_the_kustomization_offline()
    {
        using var kubectl = OfflineKubectl.FindOrSkip();
        var result = await kubectl.RunAsync("kustomize", DeployPaths.Kubernetes);
        Assert.True(result.Succeeded, result.ToString());
        var built = YamlNodes.Documents(result.Output, "kubectl kustomize").Select(root => $"{root.Text("kind")}/{root.Text("metadata.name")}").Order(StringComparer.Ordinal);
        var committed = Manifest.LoadAll(DeployPaths.ManifestFiles()).Where(m => m.Kind != "Secret").Select(m => $"{m.Kind}/{m.Name}").Order(StringComparer.Ordinal);
        Assert.Equal(committed, built);
    }

    [Fact]
    public async Task Client_side_dry_run_is_tried_and_its_need_for_a_server_reported()
    {
        using var kubectl = OfflineKubectl.FindOrSkip();
        var result = await kubectl.RunAsync("apply", "--dry-run=client", "--validate=false", "-o", "name", "-f", DeployPaths.Kubernetes);
        if (result.Succeeded)
        {
            // A kubectl that can map kinds offline: then every object must come out.
            Assert.Equal(Manifest.LoadAll(DeployPaths.ManifestFiles()).Count, result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            return;
        }

        // Only the missing server may stop it; anything else (a parse error, an unknown field) is a real failure.
        Assert.Contains("127.0.0.1:1", result.Error, StringComparison.Ordinal);
        TestLog.Line("kubectl apply --dry-run=client needs the API server's discovery even with --validate=false; no cluster here, so "
            + "schema validation did not run. Checked instead: kubectl's decoding of every file, its kustomize build, and the structural rules.");
    }

    /// <summary>How kubectl -o name prints an object: kind in lower case, then the API group unless it is the core one.</summary>
    private static string ResourceName(Manifest manifest)
    {
        var group = manifest.ApiVersion.Contains('/', StringComparison.Ordinal) ? "." + manifest.ApiVersion[..manifest.ApiVersion.IndexOf('/', StringComparison.Ordinal)] : "";
        return $"{manifest.Kind.ToLowerInvariant()}{group}/{manifest.Name}";
    }
}
