using System.Reflection;
using System.Text;
using Faultline.Api.Problems;
using Microsoft.Net.Http.Headers;

namespace Faultline.Api.Features.Experiments;

/// <summary>
/// An experiment document exactly as sent: YAML or JSON text. Bound from the raw body (not deserialized) so
/// YAML is accepted, the source is kept as written, and Idempotency-Key hashes the real content.
/// </summary>
public sealed record ExperimentBody(string Text, string MediaType)
{
    public static readonly string[] MediaTypes = ["application/yaml", "application/json", "application/x-yaml", "text/yaml", "text/x-yaml"];

    public static async ValueTask<ExperimentBody?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        _ = parameter;
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var contentType) ||
            !MediaTypes.Contains(contentType.MediaType.Value ?? "", StringComparer.OrdinalIgnoreCase))
        {
            throw new ProblemException(StatusCodes.Status415UnsupportedMediaType, ProblemTypes.UnsupportedMediaType, "Unsupported media type",
                $"Send the experiment as {string.Join(" or ", MediaTypes.Take(2))}.");
        }

        if (contentType.Charset.HasValue && !string.Equals(contentType.Charset.Value, "utf-8", StringComparison.OrdinalIgnoreCase))
        {
            throw new ProblemException(StatusCodes.Status415UnsupportedMediaType, ProblemTypes.UnsupportedMediaType, "Unsupported media type", "Only UTF-8 is accepted.");
        }

        using var reader = new StreamReader(context.Request.Body, new UTF8Encoding(false, throwOnInvalidBytes: true));
        string text;
        try
        {
            text = await reader.ReadToEndAsync(context.RequestAborted);
        }
        catch (DecoderFallbackException)
        {
            throw ProblemException.Validation("$", "the body is not valid UTF-8.");
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ProblemException(StatusCodes.Status400BadRequest, ProblemTypes.MalformedRequest, "The request body is missing", "Send an experiment document.",
                new Dictionary<string, string[]> { ["$"] = ["An experiment document is required."] });
        }

        return new ExperimentBody(text, contentType.MediaType.Value!.ToLowerInvariant());
    }
}
