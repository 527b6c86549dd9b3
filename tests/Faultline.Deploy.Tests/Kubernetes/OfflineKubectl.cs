using Faultline.Deploy.Tests.Tools;

namespace Faultline.Deploy.Tests.Kubernetes;

/// <summary>
/// kubectl pointed at no cluster: a kubeconfig whose only server is a closed loopback port, so no invocation can
/// reach a real API server (not even whatever listens on localhost:8080, kubectl's default, which on this machine
/// may well be a Faultline node). A user with a dummy token, or kubectl would ask for a username on the terminal.
/// </summary>
internal sealed class OfflineKubectl : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("faultline-kubeconfig-").FullName;

    private OfflineKubectl(ExternalTool tool)
    {
        Tool = tool;
        KubeConfig = Path.Combine(_directory, "config");
        File.WriteAllText(KubeConfig, """
            apiVersion: v1
            kind: Config
            clusters:
              - name: none
                cluster: { server: "https://127.0.0.1:1" }
            users:
              - name: none
                user: { token: "not-a-credential" }
            contexts:
              - name: none
                context: { cluster: none, user: none, namespace: default }
            current-context: none
            """);
    }

    public ExternalTool Tool { get; }

    public string KubeConfig { get; }

    /// <summary>kubectl, or a skip saying that it is not installed and what still ran.</summary>
    public static OfflineKubectl FindOrSkip()
    {
        var tool = ExternalTool.Find("kubectl");
        if (tool is null)
        {
            Assert.Skip("kubectl is not installed: its decoding and kustomize build of deploy/kubernetes did not run; the structural checks (KubernetesManifestTests) did.");
        }

        return new OfflineKubectl(tool);
    }

    public async Task<ToolResult> RunAsync(params string[] arguments)
    {
        var result = await Tool.RunAsync(arguments, new Dictionary<string, string> { ["KUBECONFIG"] = KubeConfig, ["HOME"] = _directory });
        TestLog.Line(result.ToString());
        return result;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
