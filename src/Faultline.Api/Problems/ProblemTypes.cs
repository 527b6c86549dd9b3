namespace Faultline.Api.Problems;

/// <summary>
/// Stable RFC 9457 problem <c>type</c> URIs. Clients branch on these, never on titles or details, so a
/// value once published is never changed.
/// </summary>
public static class ProblemTypes
{
    private const string Base = "https://faultline.dev/problems/";

    public const string Validation = Base + "validation";
    public const string MalformedRequest = Base + "malformed-request";
    public const string UnsupportedMediaType = Base + "unsupported-media-type";
    public const string PayloadTooLarge = Base + "payload-too-large";
    public const string Unauthenticated = Base + "unauthenticated";
    public const string Forbidden = Base + "forbidden";
    public const string NotFound = Base + "not-found";
    public const string Conflict = Base + "conflict";
    public const string PolicyViolation = Base + "policy-violation";
    public const string Halted = Base + "halted";
    public const string PreconditionFailed = Base + "precondition-failed";
    public const string PreconditionRequired = Base + "precondition-required";
    public const string IdempotencyKeyReused = Base + "idempotency-key-reused";
    public const string IdempotencyInProgress = Base + "idempotency-in-progress";
    public const string RateLimited = Base + "rate-limited";
    public const string MethodNotAllowed = Base + "method-not-allowed";
    public const string Internal = Base + "internal";
}
