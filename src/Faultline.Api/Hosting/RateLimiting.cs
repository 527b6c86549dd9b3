using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Faultline.Api.Auth;
using Faultline.Api.Problems;

namespace Faultline.Api.Hosting;

/// <summary>
/// Per-key rate limiting: one noisy integration cannot starve the others. Rejections are 429 problems
/// with Retry-After in whole seconds.
/// </summary>
public static class RateLimiting
{
    public static IServiceCollection AddFaultlineRateLimiting(this IServiceCollection services, RateLimitOptions options)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var partition = context.User.FindFirstValue(FaultlineClaims.KeyId) is { } keyId
                    ? $"key:{keyId}"
                    : context.User.FindFirstValue(AgentClaims.TokenId) is { } agentTokenId
                        ? $"agent:{agentTokenId}"
                        : $"addr:{context.Connection.RemoteIpAddress}";
                return RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = Math.Max(1, options.Burst),
                    TokensPerPeriod = Math.Max(1, options.PermitsPerSecond),
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
                    ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))
                    : 1;
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await ProblemWriter.WriteAsync(
                    context.HttpContext, StatusCodes.Status429TooManyRequests, ProblemTypes.RateLimited, "Too many requests",
                    $"This API key exceeded {options.PermitsPerSecond} requests per second (burst {options.Burst}). Retry after {retryAfter} s.");
            };
        });
        return services;
    }
}
