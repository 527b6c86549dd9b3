using Faultline.Deploy.Tests.Capabilities;
using Faultline.Deploy.Tests.Kubernetes;
using Faultline.Deploy.Tests.Tools;
using Faultline.Deploy.Tests.Yaml;
using YamlDotNet.RepresentationModel;

namespace Faultline.Deploy.Tests.Helm;

/// <summary>
/// deploy/helm/faultline. Without helm (not in Debian's archive, so not on this machine or CI's) the chart is read
/// structurally: metadata, templates that are YAML once their actions are stripped, values and named templates
/// that exist. Where helm is installed, the rendered chart goes through the same rules as the plain manifests.
/// </summary>
public sealed class HelmChartTests
{
    private static readonly string Templates = Path.Combine(DeployPaths.Chart, "templates");

    private static readonly YamlMappingNode Values = YamlNodes.Documents(File.ReadAllText(Path.Combine(DeployPaths.Chart, "values.yaml")), "values.yaml")[0];

    private static IReadOnlyList<ChartTemplate> AllTemplates =>
        [.. Directory.GetFiles(Templates).Order(StringComparer.Ordinal).Select(file => new ChartTemplate(file))];

    private static IReadOnlyList<ChartTemplate> YamlTemplates => [.. AllTemplates.Where(t => t.Name.EndsWith(".yaml", StringComparison.Ordinal))];

    [Fact]
    public void The_chart_metadata_is_a_v2_application_chart()
    {
        var chart = YamlNodes.Documents(File.ReadAllText(Path.Combine(DeployPaths.Chart, "Chart.yaml")), "Chart.yaml")[0];
        Assert.Equal("v2", chart.Text("apiVersion"));
        Assert.Equal("faultline", chart.Text("name"));
        Assert.Equal("application", chart.Text("type"));
        Assert.Matches(@"^\d+\.\d+\.\d+$", chart.Text("version"));
        Assert.False(string.IsNullOrEmpty(chart.Text("appVersion")));
    }

    [Fact]
    public void Every_template_is_yaml_of_a_served_kind_once_its_actions_are_stripped()
    {
        var kinds = new List<string>();
        foreach (var template in YamlTemplates)
        {
            foreach (var document in template.Skeleton())
            {
                var (apiVersion, kind) = (document.Text("apiVersion") ?? "", document.Text("kind") ?? "");
                Assert.True(KubernetesKinds.IsKnown(apiVersion, kind), $"{template.Name}: {apiVersion} {kind} is not a served API");
                Assert.NotNull(document.Text("metadata.name"));
                kinds.Add(kind);
            }
        }

        // The chart installs the same objects as deploy/kubernetes, less the namespaces (the release's) and the
        // Secrets (created by the operator, never from values).
        var plain = Manifest.LoadAll(DeployPaths.ManifestFiles()).Select(m => m.Kind).Where(kind => kind is not ("Namespace" or "Secret"));
        Assert.Equal(plain.Order(StringComparer.Ordinal), kinds.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_value_a_template_reads_is_in_values_yaml()
    {
        var missing = AllTemplates.SelectMany(t => t.ValuesPaths.Select(path => (t.Name, path)))
            .Where(reference => Values.At(reference.path[1..]) is null)
            .Select(reference => $"{reference.Name}: .Values{reference.path}")
            .ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void Every_included_template_is_defined()
    {
        var defined = AllTemplates.SelectMany(t => t.Defines).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(defined);
        Assert.All(AllTemplates.SelectMany(t => t.Includes.Select(name => (t.Name, name))), include =>
            Assert.True(defined.Contains(include.name), $"{include.Name} includes '{include.name}', which no template defines"));
    }

    [Fact]
    public void The_defaults_keep_two_replicas_a_budget_and_no_privilege()
    {
        Assert.True(int.Parse(Values.Text("controlPlane.replicas")!, System.Globalization.CultureInfo.InvariantCulture) >= 2);
        Assert.Equal("1", Values.Text("controlPlane.podDisruptionBudget.minAvailable"));
        Assert.Equal(AgentCapabilities.Names, Values.Texts("agent.capabilities"));
        var skeletons = YamlTemplates.SelectMany(t => t.Skeleton().Select((root, index) => new Manifest(t.Path, index, root))).ToList();
        Assert.Empty(ManifestRules.NoPrivilege(skeletons));
        Assert.Empty(ManifestRules.NoInlineSecrets(skeletons));
        Assert.Empty(ManifestRules.ReadOnlyRbac(skeletons));
    }

    [Fact]
    public async Task Helm_renders_the_chart_into_manifests_that_pass_the_same_rules()
    {
        var helm = ExternalTool.Find("helm");
        if (helm is null)
        {
            Assert.Skip("helm is not installed (it is not in Debian's archive): the chart was not rendered; its templates were checked structurally by the other tests of this class.");
        }

        var lint = await helm.RunAsync(["lint", DeployPaths.Chart, "--set", "agent.server=https://faultline.example.com"]);
        TestLog.Line(lint.ToString());
        Assert.True(lint.Succeeded, lint.ToString());

        var rendered = await helm.RunAsync(["template", "faultline", DeployPaths.Chart, "--namespace", "faultline", "--set", "agent.server=https://faultline.example.com"]);
        Assert.True(rendered.Succeeded, rendered.ToString());
        var manifests = YamlNodes.Documents(rendered.Output, "helm template").Select((root, index) => new Manifest("helm template", index, root)).ToList();
        Assert.Empty(ManifestRules.Identity(manifests, requireNamespace: false));
        Assert.Empty(ManifestRules.Selectors(manifests));
        Assert.Empty(ManifestRules.Containers(manifests, ServerPaths.All));
        Assert.Empty(ManifestRules.ControlPlaneShape(manifests));
        Assert.Empty(ManifestRules.AgentShape(manifests, AgentCapabilities.Names));
        Assert.Empty(ManifestRules.NoPrivilege(manifests));
        Assert.Empty(ManifestRules.NoInlineSecrets(manifests));

        var oneReplica = await helm.RunAsync(["template", "faultline", DeployPaths.Chart, "--set", "agent.server=https://x", "--set", "controlPlane.replicas=1"]);
        Assert.False(oneReplica.Succeeded, "the chart must refuse a single control-plane replica");
    }
}
