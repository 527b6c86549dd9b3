using Faultline.Deploy.Tests.Capabilities;
using Faultline.Deploy.Tests.Yaml;

namespace Faultline.Deploy.Tests.Kubernetes;

/// <summary>deploy/kubernetes as the API server and Faultline's design require it, checked without a cluster.</summary>
public sealed class KubernetesManifestTests
{
    private static readonly IReadOnlyList<Manifest> Manifests = Manifest.LoadAll(DeployPaths.ManifestFiles());

    [Fact]
    public void Every_file_parses_and_holds_the_expected_objects()
    {
        var found = Manifests.Select(m => $"{m.Kind}/{m.Name}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            [
                "ClusterRole/faultline-agent", "ClusterRoleBinding/faultline-agent", "DaemonSet/faultline-agent",
                "Deployment/faultline", "Namespace/faultline", "Namespace/faultline-agent", "PodDisruptionBudget/faultline",
                "Secret/faultline-agent-token", "Secret/faultline-database", "Secret/faultline-secrets-key",
                "Service/faultline", "ServiceAccount/faultline", "ServiceAccount/faultline-agent",
            ],
            found);
    }

    [Fact]
    public void Every_object_has_a_served_api_version_a_valid_name_and_its_namespace() =>
        Assert.Empty(ManifestRules.Identity(Manifests, requireNamespace: true));

    [Fact]
    public void Namespaced_objects_live_in_the_namespaces_the_manifests_create()
    {
        var created = Manifests.Where(m => m.Kind == "Namespace").Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        Assert.All(Manifests.Where(m => m.Namespace is not null), m => Assert.Contains(m.Namespace!, created));
    }

    [Fact]
    public void Workload_selectors_match_their_pod_templates() => Assert.Empty(ManifestRules.Selectors(Manifests));

    [Fact]
    public void Containers_have_images_requests_and_probes_on_paths_the_server_serves() =>
        Assert.Empty(ManifestRules.Containers(Manifests, ServerPaths.All));

    [Fact]
    public void The_control_plane_runs_two_replicas_behind_a_service_and_a_disruption_budget() =>
        Assert.Empty(ManifestRules.ControlPlaneShape(Manifests));

    [Fact]
    public void The_agent_gets_the_host_namespaces_and_exactly_the_documented_capabilities() =>
        Assert.Empty(ManifestRules.AgentShape(Manifests, AgentCapabilities.Names));

    [Fact]
    public void Nothing_is_privileged() => Assert.Empty(ManifestRules.NoPrivilege(Manifests));

    [Fact]
    public void The_agent_role_only_reads() => Assert.Empty(ManifestRules.ReadOnlyRbac(Manifests));

    [Fact]
    public void Credentials_come_from_secrets() => Assert.Empty(ManifestRules.NoInlineSecrets(Manifests));

    [Fact]
    public void Secrets_exist_only_in_the_template_and_hold_only_placeholders()
    {
        Assert.All(Manifests.Where(m => m.Kind == "Secret"), secret =>
        {
            Assert.Equal(DeployPaths.SecretTemplate, secret.File);
            // data: would be base64, which hides what it holds; the template uses readable stringData only.
            Assert.Null(secret.Root.At("data"));
            var values = secret.Root.Map("stringData");
            Assert.NotEmpty(values);
            Assert.All(values, pair => Assert.Contains("REPLACE", pair.Value, StringComparison.Ordinal));
        });
    }

    [Fact]
    public void Every_secret_a_pod_references_is_in_the_template_with_that_key()
    {
        var secrets = Manifests.Where(m => m.Kind == "Secret").ToDictionary(m => (m.Namespace, m.Name), m => m.Root.Map("stringData"));
        var references = Manifests.Where(m => m.PodSpec is not null).SelectMany(workload =>
            workload.Containers.SelectMany(c => c.Items("env")).Select(env => env.At("valueFrom.secretKeyRef")).OfType<YamlDotNet.RepresentationModel.YamlNode>()
                .Select(reference => (workload.Namespace, Name: reference.Text("name"), Key: reference.Text("key")))
                .Concat(workload.PodSpec.Items("volumes").Where(v => v.At("secret") is not null)
                    .Select(v => (workload.Namespace, Name: v.Text("secret.secretName"), Key: (string?)null))))
            .ToList();

        Assert.NotEmpty(references);
        Assert.All(references, reference =>
        {
            Assert.True(secrets.TryGetValue((reference.Namespace, reference.Name ?? ""), out var keys), $"Secret {reference.Namespace}/{reference.Name} is not in the template");
            Assert.True(reference.Key is null || keys.ContainsKey(reference.Key), $"Secret {reference.Name} has no key {reference.Key}");
        });
    }

    [Fact]
    public void The_kustomization_lists_every_manifest_but_the_secret_template()
    {
        var kustomization = YamlNodes.Documents(File.ReadAllText(Path.Combine(DeployPaths.Kubernetes, "kustomization.yaml")), "kustomization.yaml")[0];
        var expected = DeployPaths.ManifestFiles().Where(file => file != DeployPaths.SecretTemplate)
            .Select(file => Path.GetRelativePath(DeployPaths.Kubernetes, file)).Order(StringComparer.Ordinal);
        Assert.Equal(expected, kustomization.Texts("resources").Order(StringComparer.Ordinal));
    }
}
