using Faultline.Deploy.Tests.Yaml;
using YamlDotNet.RepresentationModel;

namespace Faultline.Deploy.Tests.Kubernetes;

/// <summary>
/// What the Kubernetes API (and Faultline's own design) requires of the objects in deploy/: each rule returns the
/// problems it found, one line each naming the object, so a failing test lists them all at once. The rules run on
/// the plain manifests and, where helm is installed, on the chart's rendered output.
/// </summary>
internal static class ManifestRules
{
    public const string ControlPlane = "control-plane";
    public const string Agent = "agent";

    /// <summary>apiVersion/kind served by Kubernetes, a valid metadata.name, and a namespace for namespaced kinds.</summary>
    public static IEnumerable<string> Identity(IReadOnlyList<Manifest> manifests, bool requireNamespace)
    {
        foreach (var manifest in manifests)
        {
            if (!KubernetesKinds.IsKnown(manifest.ApiVersion, manifest.Kind))
            {
                yield return $"{manifest}: apiVersion '{manifest.ApiVersion}' with kind '{manifest.Kind}' is not a served API";
                continue;
            }

            if (!KubernetesKinds.IsValidName(manifest.Name))
            {
                yield return $"{manifest}: metadata.name '{manifest.Name}' is not a DNS-1123 name";
            }

            var namespaced = KubernetesKinds.IsNamespaced(manifest.ApiVersion, manifest.Kind);
            if (namespaced && requireNamespace && string.IsNullOrEmpty(manifest.Namespace))
            {
                yield return $"{manifest}: a namespaced kind without metadata.namespace would land in whatever namespace kubectl points at";
            }

            if (!namespaced && manifest.Namespace is not null)
            {
                yield return $"{manifest}: a cluster-scoped kind must not set metadata.namespace";
            }
        }
    }

    /// <summary>A workload's selector must match its pod template's labels, or the API server refuses it.</summary>
    public static IEnumerable<string> Selectors(IReadOnlyList<Manifest> manifests)
    {
        foreach (var workload in Workloads(manifests))
        {
            var selector = workload.Root.Map("spec.selector.matchLabels");
            var labels = workload.Root.Map("spec.template.metadata.labels");
            if (selector.Count == 0)
            {
                yield return $"{workload}: spec.selector.matchLabels is empty";
            }

            foreach (var (key, value) in selector)
            {
                if (labels.GetValueOrDefault(key) != value)
                {
                    yield return $"{workload}: selector {key}={value} does not match the template's labels";
                }
            }
        }
    }

    /// <summary>Every container has a name, an image and resource requests; every probe asks a path the server serves on a declared port.</summary>
    public static IEnumerable<string> Containers(IReadOnlyList<Manifest> manifests, IReadOnlySet<string> serverPaths)
    {
        foreach (var workload in Workloads(manifests))
        {
            if (workload.Containers.Count == 0)
            {
                yield return $"{workload}: no containers";
            }

            foreach (var container in workload.Containers)
            {
                var name = container.Text("name");
                if (string.IsNullOrEmpty(name))
                {
                    yield return $"{workload}: a container without a name";
                }

                if (string.IsNullOrWhiteSpace(container.Text("image")))
                {
                    yield return $"{workload}: container '{name}' has no image";
                }

                if (container.Text("resources.requests.cpu") is null || container.Text("resources.requests.memory") is null)
                {
                    yield return $"{workload}: container '{name}' requests no cpu or no memory";
                }

                var ports = container.Items("ports").Select(port => port.Text("name")).OfType<string>().ToHashSet(StringComparer.Ordinal);
                foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
                {
                    if (container.At($"{probe}.httpGet") is not { } httpGet)
                    {
                        continue;
                    }

                    var path = httpGet.Text("path") ?? "";
                    if (!serverPaths.Contains(path))
                    {
                        yield return $"{workload}: {probe} asks '{path}', which the server does not serve (it serves {string.Join(", ", serverPaths.Where(p => p.EndsWith('z')))})";
                    }

                    var port = httpGet.Text("port") ?? "";
                    if (!int.TryParse(port, out _) && !ports.Contains(port))
                    {
                        yield return $"{workload}: {probe} uses port '{port}', which the container does not declare";
                    }
                }
            }
        }
    }

    /// <summary>No container is privileged or may gain privileges; host access is granted capability by capability.</summary>
    public static IEnumerable<string> NoPrivilege(IReadOnlyList<Manifest> manifests)
    {
        foreach (var manifest in manifests)
        {
            foreach (var (path, node) in manifest.Root.Walk())
            {
                if ((path.EndsWith(".privileged", StringComparison.Ordinal) || path.EndsWith(".allowPrivilegeEscalation", StringComparison.Ordinal)) &&
                    node is YamlScalarNode { Value: "true" })
                {
                    yield return $"{manifest}: {path[1..]} is true";
                }
            }
        }
    }

    /// <summary>
    /// The control plane: at least two replicas spread by anti-affinity, probes on /readyz and /healthz, a non-root
    /// read-only container without capabilities, and a PodDisruptionBudget and a Service that select its pods.
    /// </summary>
    public static IEnumerable<string> ControlPlaneShape(IReadOnlyList<Manifest> manifests)
    {
        var deployments = Component(manifests, "Deployment", ControlPlane);
        if (deployments.Count != 1)
        {
            yield return $"expected one control-plane Deployment, found {deployments.Count}";
            yield break;
        }

        var deployment = deployments[0];
        if (!int.TryParse(deployment.Root.Text("spec.replicas"), out var replicas) || replicas < 2)
        {
            yield return $"{deployment}: spec.replicas must be at least 2 (a dead node's runs are taken over by another)";
        }

        if (deployment.PodSpec.At("affinity.podAntiAffinity") is null)
        {
            yield return $"{deployment}: no podAntiAffinity: both replicas could land on one node";
        }

        if (deployment.PodSpec.Text("securityContext.runAsNonRoot") != "true")
        {
            yield return $"{deployment}: the pod must run as non-root";
        }

        foreach (var container in deployment.Containers)
        {
            if (container.Text("readinessProbe.httpGet.path") != "/readyz")
            {
                yield return $"{deployment}: readiness must be /readyz (database reachable, schema current)";
            }

            if (container.Text("livenessProbe.httpGet.path") != "/healthz")
            {
                yield return $"{deployment}: liveness must be /healthz (never tied to the database, or an outage restarts every node)";
            }

            if (container.Text("securityContext.readOnlyRootFilesystem") != "true")
            {
                yield return $"{deployment}: the root file system must be read-only";
            }

            if (container.Text("securityContext.allowPrivilegeEscalation") != "false")
            {
                yield return $"{deployment}: allowPrivilegeEscalation must be false";
            }

            if (!container.Texts("securityContext.capabilities.drop").SequenceEqual(["ALL"]) || container.At("securityContext.capabilities.add") is not null)
            {
                yield return $"{deployment}: the control plane drops ALL capabilities and adds none";
            }
        }

        var podLabels = deployment.Root.Map("spec.template.metadata.labels");
        var budgets = manifests.Where(m => m.Kind == "PodDisruptionBudget" && Selects(m.Root.Map("spec.selector.matchLabels"), podLabels) && m.Namespace == deployment.Namespace).ToList();
        if (budgets.Count != 1)
        {
            yield return $"{deployment}: expected one PodDisruptionBudget selecting its pods in its namespace, found {budgets.Count}";
        }
        else if (!int.TryParse(budgets[0].Root.Text("spec.minAvailable"), out var minAvailable) || minAvailable < 1 || minAvailable >= replicas)
        {
            yield return $"{budgets[0]}: minAvailable must be at least 1 and below the replicas ({replicas}), or a drain could never proceed";
        }

        var ports = deployment.Containers.SelectMany(container => container.Items("ports")).Select(port => port.Text("name")).ToHashSet(StringComparer.Ordinal);
        var services = manifests.Where(m => m.Kind == "Service" && Selects(m.Root.Map("spec.selector"), podLabels) && m.Namespace == deployment.Namespace).ToList();
        if (services.Count == 0)
        {
            yield return $"{deployment}: no Service selects its pods";
        }

        foreach (var service in services)
        {
            foreach (var port in service.Root.Items("spec.ports"))
            {
                var target = port.Text("targetPort") ?? "";
                if (!int.TryParse(target, out _) && !ports.Contains(target))
                {
                    yield return $"{service}: targetPort '{target}' is no port of the control-plane container";
                }
            }
        }
    }

    /// <summary>The agent: a DaemonSet on the host's PID and network namespaces that drops ALL and adds exactly <paramref name="capabilities"/>.</summary>
    public static IEnumerable<string> AgentShape(IReadOnlyList<Manifest> manifests, IReadOnlyList<string> capabilities)
    {
        var daemonSets = Component(manifests, "DaemonSet", Agent);
        if (daemonSets.Count != 1)
        {
            yield return $"expected one agent DaemonSet, found {daemonSets.Count}";
            yield break;
        }

        var agent = daemonSets[0];
        foreach (var field in new[] { "hostNetwork", "hostPID" })
        {
            if (agent.PodSpec.Text(field) != "true")
            {
                yield return $"{agent}: {field} must be true (the network and process injectors act on the host's)";
            }
        }

        foreach (var container in agent.Containers)
        {
            var drop = container.Texts("securityContext.capabilities.drop");
            var add = container.Texts("securityContext.capabilities.add");
            if (!drop.SequenceEqual(["ALL"]))
            {
                yield return $"{agent}: capabilities.drop must be [ALL], is [{string.Join(", ", drop)}]";
            }

            if (!add.Order(StringComparer.Ordinal).SequenceEqual(capabilities.Order(StringComparer.Ordinal)))
            {
                yield return $"{agent}: capabilities.add is [{string.Join(", ", add)}], the documented list is [{string.Join(", ", capabilities)}]";
            }

            var state = container.Items("env").FirstOrDefault(env => env.Text("name") == "FAULTLINE_STATE_DIR")?.Text("value");
            var mount = container.Items("volumeMounts").FirstOrDefault(m => m.Text("mountPath") == state);
            var volume = agent.PodSpec.Items("volumes").FirstOrDefault(v => mount is not null && v.Text("name") == mount.Text("name"));
            if (state is null || volume?.At("hostPath") is null)
            {
                yield return $"{agent}: FAULTLINE_STATE_DIR must be a hostPath mount, so the journal survives the pod";
            }

            if (!container.Texts("args").Take(2).SequenceEqual(["agent", "--server"]))
            {
                yield return $"{agent}: runs 'faultline agent --server <url>', not [{string.Join(", ", container.Texts("args"))}]";
            }
        }

        if (!agent.PodSpec.Items("tolerations").Any(t => t.Text("operator") == "Exists" && t.Text("key") is null && t.Text("effect") is null))
        {
            yield return $"{agent}: tolerates every taint (operator: Exists), so it runs on every node";
        }
    }

    /// <summary>ClusterRoles and Roles of deploy/ only read (get, list, watch).</summary>
    public static IEnumerable<string> ReadOnlyRbac(IReadOnlyList<Manifest> manifests)
    {
        foreach (var role in manifests.Where(m => m.Kind is "ClusterRole" or "Role"))
        {
            foreach (var rule in role.Root.Items("rules"))
            {
                var writes = rule.Texts("verbs").Except(["get", "list", "watch"]).ToList();
                if (writes.Count > 0)
                {
                    yield return $"{role}: verbs {string.Join(", ", writes)} are more than reading";
                }
            }
        }
    }

    /// <summary>Values that look like credentials come from Secrets (valueFrom), never inline in a pod spec.</summary>
    public static IEnumerable<string> NoInlineSecrets(IReadOnlyList<Manifest> manifests)
    {
        string[] secretish = ["TOKEN", "PASSWORD", "SECRET", "KEY", "FAULTLINE_DB"];
        foreach (var workload in Workloads(manifests))
        {
            foreach (var env in workload.Containers.SelectMany(container => container.Items("env")))
            {
                var name = env.Text("name") ?? "";
                if (secretish.Any(word => name.Contains(word, StringComparison.Ordinal)) && !name.EndsWith("_FILE", StringComparison.Ordinal) && env.At("value") is not null)
                {
                    yield return $"{workload}: {name} is set inline; take it from a Secret (valueFrom.secretKeyRef)";
                }
            }
        }
    }

    public static IReadOnlyList<Manifest> Component(IReadOnlyList<Manifest> manifests, string kind, string component) =>
        [.. manifests.Where(m => m.Kind == kind && m.Root.Map("metadata.labels").GetValueOrDefault("app.kubernetes.io/component") == component)];

    private static IEnumerable<Manifest> Workloads(IReadOnlyList<Manifest> manifests) => manifests.Where(m => m.Kind is "Deployment" or "DaemonSet");

    private static bool Selects(IReadOnlyDictionary<string, string> selector, IReadOnlyDictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(pair => labels.GetValueOrDefault(pair.Key) == pair.Value);
}
