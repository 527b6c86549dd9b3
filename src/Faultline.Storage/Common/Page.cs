namespace Faultline.Storage.Common;

/// <summary>One page of a keyset-paged listing; <see cref="HasMore"/> tells whether a next cursor is due.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, bool HasMore);
