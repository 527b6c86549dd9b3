namespace Faultline.Sdk.Samples.Tests;

/// <summary>
/// The out-of-tree tests share one packed feed and one samples build, and run one after another: each builds
/// with the whole machine (two cores), which keeps their durations far from their deadlines.
/// </summary>
[CollectionDefinition(Name)]
public sealed class OutOfTreeBuilds : ICollectionFixture<OutOfTreeWorkspace>
{
    public const string Name = "out-of-tree builds";
}
