namespace Faultline.Deploy.Tests;

/// <summary>The committed deployment files the tests read, from the checkout's root.</summary>
internal static class DeployPaths
{
    public static string Kubernetes => Path.Combine(RepositoryRoot.Path, "deploy", "kubernetes");

    public static string Chart => Path.Combine(RepositoryRoot.Path, "deploy", "helm", "faultline");

    public static string Systemd => Path.Combine(RepositoryRoot.Path, "deploy", "systemd");

    public static string DeployDoc => Path.Combine(RepositoryRoot.Path, "docs", "deploy.md");

    /// <summary>The secret template: the one file allowed to hold Secret objects, with placeholders only.</summary>
    public static string SecretTemplate => Path.Combine(Kubernetes, "secrets.template.yaml");

    /// <summary>Every manifest file under deploy/kubernetes but the kustomization itself.</summary>
    public static IReadOnlyList<string> ManifestFiles() =>
        [.. Directory.GetFiles(Kubernetes, "*.yaml", SearchOption.AllDirectories)
            .Where(file => Path.GetFileName(file) != "kustomization.yaml")
            .Order(StringComparer.Ordinal)];
}
