using System.Text.Json;
using Faultline.Api.Problems;
using Faultline.Domain.Agents;
using Microsoft.Net.Http.Headers;

namespace Faultline.Api.Features.Agents;

/// <summary>
/// Reads and writes protocol messages with <see cref="AgentJson.Options"/>, the settings the agent uses too (enums
/// kebab-case, unknown fields ignored so an agent one version ahead still talks). Every failure is a problem.
/// </summary>
public static class AgentProtocolBody
{
    public static async Task<T> ReadAsync<T>(HttpContext context)
        where T : class
    {
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var contentType) ||
            !string.Equals(contentType.MediaType.Value, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw new ProblemException(StatusCodes.Status415UnsupportedMediaType, ProblemTypes.UnsupportedMediaType, "Unsupported media type", "Send the body as application/json.");
        }

        T? message;
        try
        {
            message = await JsonSerializer.DeserializeAsync<T>(context.Request.Body, AgentJson.Options, context.RequestAborted);
        }
        catch (JsonException exception)
        {
            // Answered by ProblemMiddleware exactly as a bound body's JSON error: malformed-request at the JSON path.
            throw new BadHttpRequestException("The request body is not valid JSON for this operation.", StatusCodes.Status400BadRequest, exception);
        }

        return message ?? throw ProblemException.Validation("$", "a JSON object is required.");
    }

    public static IResult Write<T>(T message) => Results.Json(message, AgentJson.Options);
}
