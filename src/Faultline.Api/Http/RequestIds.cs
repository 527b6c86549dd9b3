using System.Diagnostics;

namespace Faultline.Api.Http;

/// <summary>
/// The request id that ties a response, its log lines, its trace and its audit entries together. A
/// well-formed X-Request-Id from the client is kept so ids can be followed across systems.
/// </summary>
public static class RequestIds
{
    public const string Header = "X-Request-Id";
    private const string ItemKey = "faultline.requestId";

    public static string Get(HttpContext context)
    {
        if (context.Items.TryGetValue(ItemKey, out var value) && value is string id)
        {
            return id;
        }

        var presented = context.Request.Headers[Header].ToString();
        id = IsWellFormed(presented) ? presented : Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
        context.Items[ItemKey] = id;
        return id;
    }

    private static bool IsWellFormed(string value) =>
        value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
