using System.Diagnostics;

namespace Faultline.Api.Observability;

/// <summary>
/// Names the request span and gives it the OpenTelemetry HTTP semantic tags. ASP.NET Core's own activity
/// carries none of them; OpenTelemetry.Instrumentation.AspNetCore would add them, but it does not restore
/// here, so this does the few lines of it we need: "GET /api/v1/teams/{teamId}", method, route, path, status.
/// </summary>
public sealed class HttpActivityEnricher(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var activity = Activity.Current;
        try
        {
            await next(context);
        }
        finally
        {
            if (activity is not null)
            {
                var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
                activity.DisplayName = route is null ? context.Request.Method : $"{context.Request.Method} {route}";
                activity.SetTag("http.request.method", context.Request.Method);
                activity.SetTag("url.path", context.Request.Path.Value);
                activity.SetTag("url.scheme", context.Request.Scheme);
                activity.SetTag("http.response.status_code", context.Response.StatusCode);
                if (route is not null)
                {
                    activity.SetTag("http.route", route);
                }

                if (context.Response.StatusCode >= 500)
                {
                    activity.SetStatus(ActivityStatusCode.Error);
                }
            }
        }
    }
}
