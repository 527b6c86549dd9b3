using Faultline.Api.Auth;
using Faultline.Storage.Common;

namespace Faultline.Api.Http;

public static class AuditContexts
{
    /// <summary>The audit identity of the current request: key, request id and source address.</summary>
    public static AuditContext ForRequest(HttpContext context)
    {
        var caller = context.GetCaller();
        return new AuditContext(caller.KeyId, $"apiKey:{caller.KeyName}", RequestIds.Get(context), context.Connection.RemoteIpAddress?.ToString());
    }
}
