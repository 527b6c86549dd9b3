using System.Globalization;
using Faultline.Api.Problems;

namespace Faultline.Api.Http;

/// <summary>
/// Optimistic concurrency: a resource's version is its strong ETag, and an update must name the version it
/// read in If-Match. A stale version gets 412 instead of silently overwriting someone else's change.
/// </summary>
public static class ETags
{
    public static string For(int version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    public static void Set(HttpContext context, int version) => context.Response.Headers.ETag = For(version);

    /// <summary>The version named by If-Match; 428 when the header is missing, 412 when it names no version we issued.</summary>
    public static int RequireIfMatch(HttpContext context)
    {
        var header = context.Request.Headers.IfMatch.ToString().Trim();
        if (header.Length == 0)
        {
            throw new ProblemException(
                StatusCodes.Status428PreconditionRequired, ProblemTypes.PreconditionRequired, "If-Match required",
                "Send the ETag you read in If-Match, so a concurrent change is not overwritten.");
        }

        var value = header.StartsWith("W/", StringComparison.Ordinal) ? header[2..] : header;
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"' &&
            int.TryParse(value.AsSpan(1, value.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return version;
        }

        throw Stale();
    }

    public static ProblemException Stale() => new(
        StatusCodes.Status412PreconditionFailed, ProblemTypes.PreconditionFailed, "Precondition failed",
        "The resource changed since you read it. Read it again and reapply your change.");
}
