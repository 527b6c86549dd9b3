using System.Net;

namespace Faultline.Plugins.Datadog;

/// <summary>One complete HTTP answer from Datadog: status, rate-limit headers and the whole body.</summary>
internal sealed record DatadogAnswer(HttpStatusCode Status, RateLimitHeaders Limits, string Body)
{
    public int Code => (int)Status;
}
