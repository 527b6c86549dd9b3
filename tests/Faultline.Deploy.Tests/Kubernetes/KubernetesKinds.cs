namespace Faultline.Deploy.Tests.Kubernetes;

/// <summary>
/// The API groups and versions Kubernetes serves for the kinds deploy/ uses (as of 1.29+, where policy/v1 PDBs and
/// apps/v1 workloads are the only served versions), and whether each lives in a namespace. A kind outside this
/// table is a manifest the tests do not know how to check, which fails rather than passes unchecked.
/// </summary>
internal static class KubernetesKinds
{
    private static readonly Dictionary<(string ApiVersion, string Kind), bool> Namespaced = new()
    {
        [("v1", "Namespace")] = false,
        [("v1", "ServiceAccount")] = true,
        [("v1", "Secret")] = true,
        [("v1", "Service")] = true,
        [("v1", "ConfigMap")] = true,
        [("apps/v1", "Deployment")] = true,
        [("apps/v1", "DaemonSet")] = true,
        [("policy/v1", "PodDisruptionBudget")] = true,
        [("rbac.authorization.k8s.io/v1", "ClusterRole")] = false,
        [("rbac.authorization.k8s.io/v1", "ClusterRoleBinding")] = false,
        [("rbac.authorization.k8s.io/v1", "Role")] = true,
        [("rbac.authorization.k8s.io/v1", "RoleBinding")] = true,
    };

    public static bool IsKnown(string apiVersion, string kind) => Namespaced.ContainsKey((apiVersion, kind));

    public static bool IsNamespaced(string apiVersion, string kind) => Namespaced.GetValueOrDefault((apiVersion, kind));

    /// <summary>DNS-1123 names (RFC 1123 subdomain): what the API server requires of metadata.name for these kinds.</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 253 &&
        name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '.') &&
        char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1]);
}
