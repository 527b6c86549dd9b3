using System.Text.Json;
using Faultline.Sdk.Targets;

namespace Faultline.Sdk.Injection;

/// <summary>
/// What the engine asks of an injector. <see cref="FaultId"/> is unique per fault and must be written into
/// everything the injector creates (rule comments, file names, qdisc handles' notes), so that leftovers can be
/// found and attributed after any crash. <see cref="ExpiresAt"/> is the hard deadline: an injector that can
/// arm its own expiry (a timer in the kernel, a TTL) should.
/// </summary>
public sealed record FaultRequest(
    string FaultId,
    Guid RunId,
    Target Target,
    JsonElement Parameters,
    TimeSpan Duration,
    DateTimeOffset ExpiresAt);
