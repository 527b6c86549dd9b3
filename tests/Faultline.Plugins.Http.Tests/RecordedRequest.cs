namespace Faultline.Plugins.Http.Tests;

/// <summary>What the echo endpoint received.</summary>
internal sealed record RecordedRequest(string Method, IReadOnlyDictionary<string, string> Headers, string Body);
