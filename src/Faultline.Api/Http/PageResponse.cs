namespace Faultline.Api.Http;

/// <summary>A page of results. <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record PageResponse<T>(IReadOnlyList<T> Items, string? NextCursor);
