using Faultline.Sdk.Versioning;

namespace Faultline.Sdk;

/// <summary>
/// The version of the plugin contract itself (not of Faultline). Minor versions only add; a major version
/// may break, and the host refuses plugins whose declared SDK range excludes the host's contract version.
/// </summary>
public static class SdkInfo
{
    public static SemanticVersion ContractVersion { get; } = new(1, 1, 0);

    /// <summary>The manifest file every plugin folder carries.</summary>
    public const string ManifestFileName = "faultline-plugin.json";
}
