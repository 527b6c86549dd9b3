using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

using Faultline.Api.Http;

namespace Faultline.Api.Problems;

/// <summary>Writes RFC 9457 bodies with the request id and trace id every client can quote to support.</summary>
public static class ProblemWriter
{
    public const string ContentType = "application/problem+json";

    public static ProblemDetails Create(HttpContext context, int status, string type, string title, string? detail, IDictionary<string, string[]>? errors = null)
    {
        var problem = errors is null ? new ProblemDetails() : new ValidationProblemDetails(errors);
        problem.Status = status;
        problem.Type = type;
        problem.Title = title;
        problem.Detail = detail;
        problem.Instance = context.Request.Path;
        problem.Extensions["requestId"] = RequestIds.Get(context);
        if (Activity.Current is { } activity)
        {
            problem.Extensions["traceId"] = activity.TraceId.ToString();
        }

        return problem;
    }

    public static async Task WriteAsync(HttpContext context, int status, string type, string title, string? detail, IDictionary<string, string[]>? errors = null)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        var problem = Create(context, status, type, title, detail, errors);
        context.Response.StatusCode = status;
        context.Response.ContentType = ContentType;
        var options = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        await JsonSerializer.SerializeAsync(context.Response.Body, problem, problem.GetType(), options, context.RequestAborted);
    }

    public static IResult Result(HttpContext context, int status, string type, string title, string? detail, IDictionary<string, string[]>? errors = null)
    {
        var problem = Create(context, status, type, title, detail, errors);
        return problem is ValidationProblemDetails validation
            ? TypedResults.Problem(validation)
            : TypedResults.Problem(problem);
    }
}
