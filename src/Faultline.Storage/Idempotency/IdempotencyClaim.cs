namespace Faultline.Storage.Idempotency;

public enum IdempotencyClaimStatus
{
    /// <summary>First use of the key: go ahead, then complete or release.</summary>
    Claimed,

    /// <summary>The same request finished before: replay <see cref="IdempotencyClaim.Response"/>.</summary>
    Replay,

    /// <summary>The same request is still being processed elsewhere.</summary>
    InProgress,

    /// <summary>The key was used for a different request.</summary>
    Mismatch,
}

public sealed record IdempotencyClaim(IdempotencyClaimStatus Status, StoredResponse? Response);

public sealed record StoredResponse(int StatusCode, byte[] Body, string? ContentType, string? Location);
