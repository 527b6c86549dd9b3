using System.ComponentModel;
using Faultline.Api.Problems;
using Faultline.Domain.Paging;
using Microsoft.AspNetCore.Mvc;

namespace Faultline.Api.Http;

/// <summary>Query parameters of every listing: an opaque cursor from the previous page and a page size.</summary>
public sealed class PageQuery
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    [FromQuery(Name = "cursor")]
    [Description("nextCursor of the previous page, unchanged. Omit for the first page.")]
    public string? Cursor { get; init; }

    [FromQuery(Name = "limit")]
    [Description("Page size, 1 to 200 (default 50).")]
    public int? Limit { get; init; }

    public int EffectiveLimit
    {
        get
        {
            if (Limit is null)
            {
                return DefaultLimit;
            }

            if (Limit is < 1 or > MaxLimit)
            {
                throw ProblemException.Validation("limit", $"must be between 1 and {MaxLimit}.");
            }

            return Limit.Value;
        }
    }

    public Guid? AfterGuid()
    {
        if (Cursor is null)
        {
            return null;
        }

        return PageCursor.TryDecode(Cursor, out Guid? after) ? after : throw BadCursor();
    }

    public long? BeforeLong()
    {
        if (Cursor is null)
        {
            return null;
        }

        return PageCursor.TryDecode(Cursor, out long? before) ? before : throw BadCursor();
    }

    private static ProblemException BadCursor() =>
        ProblemException.Validation("cursor", "is not a cursor this API issued; pass nextCursor from the previous page unchanged.");
}
