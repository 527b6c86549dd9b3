using System.Text.Json;

namespace Faultline.Sdk.Samples.Tests;

/// <summary>
/// Faultline.Sdk and Faultline.Sdk.Testing packed from this checkout into a folder: the NuGet feed a plugin
/// author builds against. The packs build in their own artifacts folder, so they never touch the checkout's bin/obj.
/// </summary>
public static class LocalSdkFeed
{
    public static readonly string[] Packages = ["Faultline.Sdk", "Faultline.Sdk.Testing"];

    public const string Version = "1.1.0";

    public static async Task<CommandResult> PackAsync(string feedDirectory, string buildDirectory, CancellationToken cancellationToken)
    {
        CommandResult? last = null;
        foreach (var package in Packages)
        {
            var project = Path.Combine(RepositoryRoot.Path, "sdk", package, $"{package}.csproj");
            last = await Dotnet.RunAsync(
                RepositoryRoot.Path,
                ["pack", project, "-c", "Release", "-o", feedDirectory, "--artifacts-path", buildDirectory, "--disable-build-servers", "--nologo"],
                TimeSpan.FromMinutes(5),
                cancellationToken: cancellationToken);
            if (!last.Succeeded)
            {
                return last;
            }
        }

        return last!;
    }

    /// <summary>
    /// Where NuGet took a package from, as it recorded it in the package folder: proves a build used this feed and
    /// not an older Faultline.Sdk 1.0.0 sitting in some cache.
    /// </summary>
    public static string? SourceOf(string packageCache, string id, string version)
    {
        var metadata = Path.Combine(packageCache, id.ToLowerInvariant(), version, ".nupkg.metadata");
        if (!File.Exists(metadata))
        {
            return null;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(metadata));
        return document.RootElement.TryGetProperty("source", out var source) ? source.GetString() : null;
    }
}
