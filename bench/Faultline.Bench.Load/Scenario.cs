using System.Net;

namespace Faultline.Bench.Load;

/// <summary>
/// One measured request shape. <paramref name="CreateRequest"/> is called once per request, from many
/// workers at once, so it must be thread-safe and cheap (it runs inside the measured loop's CPU budget).
/// </summary>
internal sealed record Scenario(string Name, string Description, HttpStatusCode ExpectedStatus, Func<HttpRequestMessage> CreateRequest);
