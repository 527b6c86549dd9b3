namespace Faultline.Sdk.Samples.Tests;

/// <summary>
/// A temporary folder laid out like this repository (artifacts/packages, sdk/samples), so the samples' committed
/// nuget.config (../../artifacts/packages) finds the freshly packed SDK without a change. Builds use a package
/// cache of their own: a Faultline.Sdk 1.0.0 restored earlier from other bits is never picked up.
/// Packing and the samples' build run once, on first use, and are shared by the tests of the collection.
/// </summary>
public sealed class OutOfTreeWorkspace : IDisposable
{
    private readonly TempDirectory _root = new("faultline-out-of-tree-");
    private readonly Lazy<Task<CommandResult>> _feed;
    private readonly Lazy<Task<CommandResult>> _samples;

    public OutOfTreeWorkspace()
    {
        // Not tied to one test's token: the work is shared, and each test waits for it with its own deadline.
        _feed = new(() => LocalSdkFeed.PackAsync(Feed, _root.Combine("sdk-build"), CancellationToken.None));
        _samples = new(BuildSamplesOnceAsync);
    }

    public string Root => _root.Path;

    public string Feed => _root.Combine("artifacts", "packages");

    public string PackageCache => _root.Combine("nuget-packages");

    public string SamplesDirectory => _root.Combine("sdk", "samples");

    /// <summary>What every out-of-tree dotnet command gets: the private package cache.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["NUGET_PACKAGES"] = PackageCache };

    public Task<CommandResult> PackSdkAsync() => _feed.Value;

    /// <summary>sdk/samples copied out of the checkout and built (Release) against the packed SDK.</summary>
    public Task<CommandResult> BuildSamplesAsync() => _samples.Value;

    public void Dispose() => _root.Dispose();

    private async Task<CommandResult> BuildSamplesOnceAsync()
    {
        var pack = await PackSdkAsync();
        if (!pack.Succeeded)
        {
            return pack;
        }

        // The sources only: build outputs and staged plugins of a developer's in-place build stay behind.
        DirectoryCopy.Copy(Path.Combine(RepositoryRoot.Path, "sdk", "samples"), SamplesDirectory, "bin", "obj", "artifacts", "TestResults", ".vs");
        return await Dotnet.RunAsync(
            SamplesDirectory,
            ["build", "Samples.sln", "-c", "Release", "--disable-build-servers", "--nologo"],
            TimeSpan.FromMinutes(10),
            Environment);
    }
}
