using System.Reflection;

namespace Faultline.Sdk.Samples.Tests;

/// <summary>The faultline CLI of this checkout, built in this test project's configuration (the project references it).</summary>
public static class FaultlineCli
{
    public static string Path { get; } = System.IO.Path.Combine(
        RepositoryRoot.Path,
        "src",
        "Faultline",
        "bin",
        typeof(FaultlineCli).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug",
        "net10.0",
        "faultline.dll");
}
