using System.Text.Json;
using System.Text.RegularExpressions;
using Faultline.Api.Http;

namespace Faultline.Api.Problems;

/// <summary>
/// Turns every failure into an RFC 9457 answer: our own <see cref="ProblemException"/>, the framework's
/// bad-request exceptions (malformed JSON, wrong types, unknown fields, bad media type, oversized bodies,
/// unparsable parameters), and finally anything unexpected as a 500 that reveals nothing internal.
/// Bare 404/405 answers of the router get a problem body too.
/// </summary>
public sealed partial class ProblemMiddleware(RequestDelegate next, ILogger<ProblemMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        context.Response.Headers[RequestIds.Header] = RequestIds.Get(context);
        try
        {
            await next(context);
        }
        catch (ProblemException problem)
        {
            await ProblemWriter.WriteAsync(context, problem.Status, problem.Type, problem.Title, problem.Detail, problem.Errors);
            return;
        }
        catch (BadHttpRequestException badRequest)
        {
            await WriteBadRequestAsync(context, badRequest);
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
            return;
        }
#pragma warning disable CA1031 // The last line of defence must catch everything to answer without leaking internals.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            logger.LogError(exception, "Unhandled exception for {Method} {Path}", context.Request.Method, context.Request.Path);
            await ProblemWriter.WriteAsync(
                context, StatusCodes.Status500InternalServerError, ProblemTypes.Internal, "Internal error",
                "The server failed to process the request. Quote the requestId when reporting this.");
            return;
        }

        if (!context.Response.HasStarted && context.Response.ContentLength is null && string.IsNullOrEmpty(context.Response.ContentType))
        {
            switch (context.Response.StatusCode)
            {
                case StatusCodes.Status404NotFound:
                    await ProblemWriter.WriteAsync(context, 404, ProblemTypes.NotFound, "Not found", "No resource or route matches this path.");
                    break;
                case StatusCodes.Status405MethodNotAllowed:
                    await ProblemWriter.WriteAsync(context, 405, ProblemTypes.MethodNotAllowed, "Method not allowed", $"{context.Request.Method} is not supported on this path.");
                    break;
                case StatusCodes.Status415UnsupportedMediaType:
                    await ProblemWriter.WriteAsync(context, 415, ProblemTypes.UnsupportedMediaType, "Unsupported media type", "Send the body as application/json.");
                    break;
                case StatusCodes.Status413PayloadTooLarge:
                    await ProblemWriter.WriteAsync(context, 413, ProblemTypes.PayloadTooLarge, "Payload too large", "The request body exceeds the size limit.");
                    break;
                default:
                    break;
            }
        }
    }

    private static Task WriteBadRequestAsync(HttpContext context, BadHttpRequestException exception)
    {
        switch (exception.StatusCode)
        {
            case StatusCodes.Status413PayloadTooLarge:
                return ProblemWriter.WriteAsync(context, 413, ProblemTypes.PayloadTooLarge, "Payload too large", "The request body exceeds the size limit.");
            case StatusCodes.Status415UnsupportedMediaType:
                return ProblemWriter.WriteAsync(context, 415, ProblemTypes.UnsupportedMediaType, "Unsupported media type", "Send the body as application/json.");
            default:
                break;
        }

        if (exception.InnerException is JsonException json)
        {
            var path = string.IsNullOrEmpty(json.Path) ? "$" : json.Path;
            return ProblemWriter.WriteAsync(
                context, 400, ProblemTypes.MalformedRequest, "The request body is not valid JSON for this operation", Describe(json),
                new Dictionary<string, string[]> { [path] = [Describe(json)] });
        }

        if (exception.Message.Contains("no body was provided", StringComparison.OrdinalIgnoreCase) ||
            exception.Message.Contains("from body", StringComparison.OrdinalIgnoreCase))
        {
            return ProblemWriter.WriteAsync(context, 400, ProblemTypes.MalformedRequest, "The request body is missing", "This operation needs a JSON body.",
                new Dictionary<string, string[]> { ["$"] = ["A JSON object is required."] });
        }

        var parameter = ParameterName().Match(exception.Message);
        if (parameter.Success)
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(parameter.Groups["name"].Value);
            var message = parameter.Groups["value"].Success
                ? $"'{parameter.Groups["value"].Value}' is not a valid value."
                : "is required.";
            return ProblemWriter.WriteAsync(context, 400, ProblemTypes.Validation, "The request is invalid", $"{name}: {message}",
                new Dictionary<string, string[]> { [name] = [message] });
        }

        return ProblemWriter.WriteAsync(context, exception.StatusCode, ProblemTypes.MalformedRequest, "Bad request", exception.Message);
    }

    /// <summary>
    /// System.Text.Json messages name .NET types ("could not be converted to System.Int32"); say it in JSON terms.
    /// </summary>
    private static string Describe(JsonException json)
    {
        var message = json.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0)
        {
            message = message[..cut];
        }

        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            return "is not a known field.";
        }

        if (message.Contains("could not be converted", StringComparison.Ordinal))
        {
            return "has the wrong type or an unknown value.";
        }

        if (message.Contains("missing required properties", StringComparison.Ordinal))
        {
            return "is missing required fields.";
        }

        return json.Path is null ? "is not well-formed JSON." : "is not well-formed JSON at this position.";
    }

    [GeneratedRegex("""Failed to bind parameter "(?:[^"]*\s)?(?<name>[A-Za-z0-9_]+)" from "(?<value>[^"]*)"|Required parameter "(?:[^"]*\s)?(?<name>[A-Za-z0-9_]+)" was not provided""")]
    private static partial Regex ParameterName();
}
