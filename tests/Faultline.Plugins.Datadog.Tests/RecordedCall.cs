namespace Faultline.Plugins.Datadog.Tests;

/// <summary>One request <see cref="FakeDatadog"/> received, with when it arrived (a Stopwatch timestamp).</summary>
internal sealed record RecordedCall(string Path, IReadOnlyDictionary<string, string> Query, long ArrivedAt, bool KeysAccepted);
