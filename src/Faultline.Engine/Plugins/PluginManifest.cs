using System.Text.Json;
using System.Text.RegularExpressions;
using Faultline.Sdk;
using Faultline.Sdk.Versioning;

namespace Faultline.Engine.Plugins;

/// <summary>
/// The <c>faultline-plugin.json</c> of a plugin folder: who it is, which SDK contract versions it was built
/// for, and which assembly holds its <c>IFaultlinePlugin</c>.
/// </summary>
public sealed partial record PluginManifest(string Id, SemanticVersion Version, VersionRange Sdk, string EntryAssembly, string? Description)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Reads and checks a manifest; every problem is reported at once.</summary>
    public static PluginManifest Read(string directory)
    {
        var path = Path.Combine(directory, SdkInfo.ManifestFileName);
        ManifestFile? file;
        try
        {
            file = JsonSerializer.Deserialize<ManifestFile>(File.ReadAllText(path), Json);
        }
        catch (JsonException exception)
        {
            throw new PluginLoadException($"{SdkInfo.ManifestFileName} is not valid JSON: {exception.Message}", exception);
        }

        var errors = new List<string>();
        if (file is null)
        {
            throw new PluginLoadException($"{SdkInfo.ManifestFileName} is empty.");
        }

        if (string.IsNullOrWhiteSpace(file.Id) || !IdPattern().IsMatch(file.Id))
        {
            errors.Add("id must be lower-case letters, digits, dots and dashes (e.g. acme.disk-faults)");
        }

        if (!SemanticVersion.TryParse(file.Version, out var version))
        {
            errors.Add($"version '{file.Version}' is not a semantic version");
        }

        if (!VersionRange.TryParse(file.Sdk, out var sdk))
        {
            errors.Add($"sdk '{file.Sdk}' is not a version range such as [1.0.0, 2.0.0)");
        }

        if (string.IsNullOrWhiteSpace(file.EntryAssembly) || file.EntryAssembly.Contains('/', StringComparison.Ordinal) ||
            file.EntryAssembly.Contains('\\', StringComparison.Ordinal) || !file.EntryAssembly.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add("entryAssembly must be the file name of a .dll in the plugin folder");
        }

        if (errors.Count > 0)
        {
            throw new PluginLoadException($"{SdkInfo.ManifestFileName}: {string.Join("; ", errors)}.");
        }

        return new PluginManifest(file.Id!, version, sdk!, file.EntryAssembly!, file.Description);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{0,99}$")]
    private static partial Regex IdPattern();

    private sealed record ManifestFile(string? Id, string? Version, string? Sdk, string? EntryAssembly, string? Description);
}
