using Faultline.Deploy.Tests.Tools;
using Faultline.Deploy.Tests.Yaml;
using Faultline.Plugins.Network;
using Faultline.Plugins.Process;
using Faultline.Sdk.Plugins;

namespace Faultline.Deploy.Tests.Capabilities;

/// <summary>
/// One capability list, the same everywhere it is granted, covering what every built-in injector declares it
/// needs, and explained in docs/deploy.md.
/// </summary>
public sealed class AgentCapabilityTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("faultline-deploy-caps-").FullName;

    [Fact]
    public void Every_capability_a_built_in_injector_declares_is_granted()
    {
        var registrar = new RecordingRegistrar();
        var context = new PluginContext(_state, _state, new Dictionary<string, string>(), new SilentPluginLog());
        IFaultlinePlugin[] plugins = [new NetworkPlugin(), new ProcessPlugin()];
        foreach (var plugin in plugins)
        {
            plugin.Register(registrar, context);
        }

        Assert.NotEmpty(registrar.Injectors);
        var declared = registrar.Injectors.SelectMany(injector => injector.Descriptor.Requires.LinuxCapabilities).ToHashSet(StringComparer.Ordinal);
        foreach (var injector in registrar.Injectors)
        {
            TestLog.Line($"{injector.Name}: {string.Join(", ", injector.Descriptor.Requires.LinuxCapabilities)}");
        }

        Assert.Subset(AgentCapabilities.LinuxNames.ToHashSet(StringComparer.Ordinal), declared);
        // Granted beyond what the injectors declare: each must be explained (docs/deploy.md, the manifests' comments).
        foreach (var extra in AgentCapabilities.LinuxNames.Except(declared))
        {
            TestLog.Line($"granted without a declaring injector: {extra} ({AgentCapabilities.Documented.Single(c => $"CAP_{c.Name}" == extra).Why})");
        }
    }

    [Fact]
    public void The_chart_grants_the_same_list()
    {
        var values = YamlNodes.Documents(File.ReadAllText(Path.Combine(DeployPaths.Chart, "values.yaml")), "values.yaml")[0];
        Assert.Equal(AgentCapabilities.Names, values.Texts("agent.capabilities"));
    }

    [Fact]
    public void The_deploy_guide_explains_every_capability()
    {
        var guide = File.ReadAllText(DeployPaths.DeployDoc);
        Assert.All(AgentCapabilities.LinuxNames, name => Assert.Contains($"`{name}`", guide, StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_state, recursive: true);
}
