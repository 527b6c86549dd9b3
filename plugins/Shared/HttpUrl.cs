using System.Text.Json;
using Faultline.Sdk.Validation;

namespace Faultline.Plugins.Shared;

/// <summary>A configured http or https URL, checked as every plugin that calls one over HTTP checks it.</summary>
internal static class HttpUrl
{
    /// <summary>
    /// The absolute http or https URL at <paramref name="path"/>, or null with the error recorded. A URL with
    /// credentials (<c>user:password@</c>) is refused: URLs end up in labels and messages, shown to anyone;
    /// <paramref name="credentialsGoTo"/> says where they belong instead.
    /// </summary>
    public static Uri? Read(JsonElement value, string path, string example, string credentialsGoTo, List<ParameterError> errors)
    {
        if (value.ValueKind != JsonValueKind.String ||
            !Uri.TryCreate(value.GetString(), UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) ||
            string.IsNullOrEmpty(uri.Host))
        {
            errors.Add(new ParameterError(path, $"must be an absolute http or https URL{example}."));
            return null;
        }

        if (uri.UserInfo.Length > 0)
        {
            errors.Add(new ParameterError(path, $"must not carry credentials (user:password@); {credentialsGoTo}."));
            return null;
        }

        return uri;
    }
}
