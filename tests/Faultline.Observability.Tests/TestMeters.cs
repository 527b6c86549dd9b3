namespace Faultline.Observability.Tests;

/// <summary>
/// Meter names are process-wide and test classes run in parallel, so every test listens to a meter name of its
/// own; otherwise one test's collector would see another test's measurements.
/// </summary>
internal static class TestMeters
{
    public static string UniqueName() => $"Faultline.Tests.{Guid.NewGuid():N}";
}
