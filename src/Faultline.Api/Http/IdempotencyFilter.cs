using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Faultline.Api.Auth;
using Faultline.Api.Problems;
using Faultline.Storage.Idempotency;
using Microsoft.Extensions.Options;

namespace Faultline.Api.Http;

/// <summary>
/// Honours <c>Idempotency-Key</c> on POSTs that create or start something: the first answer is stored and
/// replayed for a retry of the same request; the same key with a different request is refused (422), and a
/// retry while the first is still running gets 409. A request that fails with a problem is not remembered,
/// so it can be retried once fixed.
/// </summary>
public sealed class IdempotencyFilter(IdempotencyStore store, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) : IEndpointFilter
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = http.Request.Headers[Header].ToString();
        if (key.Length == 0)
        {
            return await next(context);
        }

        if (key.Length > 255 || key.Any(c => c < 0x21 || c > 0x7e))
        {
            throw ProblemException.Validation(Header, "must be 1 to 255 visible ASCII characters.");
        }

        var caller = http.GetCaller();
        var claim = await store.ClaimAsync(caller.OrganizationId, caller.KeyId, key, HashRequest(context), http.Request.Method, http.Request.Path, http.RequestAborted);
        switch (claim.Status)
        {
            case IdempotencyClaimStatus.Replay:
                return new ReplayResult(claim.Response!);
            case IdempotencyClaimStatus.InProgress:
                throw new ProblemException(StatusCodes.Status409Conflict, ProblemTypes.IdempotencyInProgress, "Request in progress",
                    "A request with this Idempotency-Key is still being processed; retry later.");
            case IdempotencyClaimStatus.Mismatch:
                throw new ProblemException(StatusCodes.Status422UnprocessableEntity, ProblemTypes.IdempotencyKeyReused, "Idempotency-Key reused",
                    "This Idempotency-Key was used for a different request.");
            default:
                break;
        }

        object? result;
        try
        {
            result = await next(context);
        }
        catch
        {
            await store.ReleaseAsync(caller.KeyId, key, CancellationToken.None);
            throw;
        }

        if (result is not IResult executable)
        {
            await store.ReleaseAsync(caller.KeyId, key, CancellationToken.None);
            return result;
        }

        // Render the answer into a buffer so exactly these bytes can be stored and replayed.
        var original = http.Response.Body;
        using var buffer = new MemoryStream();
        http.Response.Body = buffer;
        try
        {
            await executable.ExecuteAsync(http);
        }
        finally
        {
            http.Response.Body = original;
        }

        var stored = new StoredResponse(http.Response.StatusCode, buffer.ToArray(), http.Response.ContentType, http.Response.Headers.Location.ToString() is { Length: > 0 } location ? location : null);
        await store.CompleteAsync(caller.KeyId, key, stored, CancellationToken.None);
        buffer.Position = 0;
        await buffer.CopyToAsync(original, http.RequestAborted);
        return Results.Empty;
    }

    private byte[] HashRequest(EndpointFilterInvocationContext context)
    {
        var canonical = new StringBuilder();
        canonical.Append(context.HttpContext.Request.Method).Append(' ').Append(context.HttpContext.Request.Path).Append('\n');
        foreach (var argument in context.Arguments)
        {
            if (argument is null or HttpContext or CancellationToken)
            {
                continue;
            }

            canonical.Append(JsonSerializer.Serialize(argument, argument.GetType(), json.Value.SerializerOptions)).Append('\n');
        }

        return SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString()));
    }

    private sealed class ReplayResult(StoredResponse response) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = response.StatusCode;
            httpContext.Response.Headers[ReplayedHeader] = "true";
            if (response.ContentType is not null)
            {
                httpContext.Response.ContentType = response.ContentType;
            }

            if (response.Location is not null)
            {
                httpContext.Response.Headers.Location = response.Location;
            }

            await httpContext.Response.Body.WriteAsync(response.Body, httpContext.RequestAborted);
        }
    }
}
