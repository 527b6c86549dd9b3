namespace Faultline.Deploy.Tests.Tools;

/// <summary>Lines for the test's output: what a check ran, and why a check that could not run was skipped.</summary>
internal static class TestLog
{
    public static void Line(string text) => TestContext.Current.TestOutputHelper?.WriteLine(text);
}
