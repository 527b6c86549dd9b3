using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Faultline.Sdk.Validation;

namespace Faultline.Plugins.Prometheus;

/// <summary>
/// How requests prove who sends them: HTTP basic (<c>auth.basic</c>) or a bearer token (<c>auth.bearer</c>), never
/// both. Knows its own secrets so that no message shows them; <see cref="ToString"/> shows none either, because a
/// record's generated one would print the password wherever a settings object is logged.
/// </summary>
internal sealed class PrometheusAuth
{
    private readonly string _scheme;
    private readonly string _parameter;

    private PrometheusAuth(string scheme, string parameter, params string[] secrets)
    {
        _scheme = scheme;
        _parameter = parameter;
        Secrets = secrets;
    }

    /// <summary>Every form in which a credential could appear in a text: as configured and as sent.</summary>
    public IReadOnlyList<string> Secrets { get; }

    public void Apply(HttpRequestMessage request) => request.Headers.Authorization = new AuthenticationHeaderValue(_scheme, _parameter);

    public override string ToString() => $"{_scheme} (credentials hidden)";

    public static PrometheusAuth? Read(JsonElement value, List<ParameterError> errors)
    {
        const string path = "$.auth";
        if (!ConfigValue.Object(value, path, "with exactly one of basic or bearer", errors))
        {
            return null;
        }

        PrometheusAuth? auth = null;
        var kinds = 0;
        foreach (var property in value.EnumerateObject())
        {
            var propertyPath = JsonPath.Property(path, property.Name);
            switch (property.Name)
            {
                case "basic":
                    kinds++;
                    auth = ReadBasic(property.Value, propertyPath, errors);
                    break;
                case "bearer":
                    kinds++;
                    auth = ReadBearer(property.Value, propertyPath, errors);
                    break;
                default:
                    errors.Add(new ParameterError(propertyPath, "is not a kind of auth; use basic or bearer."));
                    break;
            }
        }

        if (kinds != 1)
        {
            errors.Add(new ParameterError(path, kinds == 0
                ? "must hold one of basic or bearer."
                : "must hold one of basic or bearer, not both: a request carries one Authorization header."));
            return null;
        }

        return auth;
    }

    private static PrometheusAuth? ReadBasic(JsonElement value, string path, List<ParameterError> errors)
    {
        if (!ConfigValue.Object(value, path, "with username and password", errors))
        {
            return null;
        }

        string? username = null;
        string? password = null;
        foreach (var property in value.EnumerateObject())
        {
            var propertyPath = JsonPath.Property(path, property.Name);
            switch (property.Name)
            {
                case "username":
                    username = ConfigValue.NonEmptyString(property.Value, propertyPath, errors);
                    if (username?.Contains(':', StringComparison.Ordinal) == true)
                    {
                        // RFC 7617: the first colon ends the user-id, so the server would read another user.
                        errors.Add(new ParameterError(propertyPath, "must not contain a colon (basic auth splits user and password at the first one)."));
                        username = null;
                    }

                    break;
                case "password":
                    password = ConfigValue.NonEmptyString(property.Value, propertyPath, errors);
                    break;
                default:
                    errors.Add(new ParameterError(propertyPath, "is not a setting of basic auth; use username and password."));
                    break;
            }
        }

        RequireSet(value, path, "username", errors);
        RequireSet(value, path, "password", errors);
        if (username is null || password is null)
        {
            return null;
        }

        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}"));
        return new PrometheusAuth("Basic", encoded, password, encoded);
    }

    private static PrometheusAuth? ReadBearer(JsonElement value, string path, List<ParameterError> errors)
    {
        if (!ConfigValue.Object(value, path, "with a token", errors))
        {
            return null;
        }

        string? token = null;
        foreach (var property in value.EnumerateObject())
        {
            var propertyPath = JsonPath.Property(path, property.Name);
            if (property.Name == "token")
            {
                token = ConfigValue.NonEmptyString(property.Value, propertyPath, errors);
            }
            else
            {
                errors.Add(new ParameterError(propertyPath, "is not a setting of bearer auth; use token."));
            }
        }

        RequireSet(value, path, "token", errors);
        if (token is not null && token.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
        {
            errors.Add(new ParameterError(JsonPath.Property(path, "token"), "must not contain line breaks or NUL."));
            return null;
        }

        return token is null ? null : new PrometheusAuth("Bearer", token, token);
    }

    private static void RequireSet(JsonElement value, string path, string name, List<ParameterError> errors)
    {
        if (!value.TryGetProperty(name, out _))
        {
            errors.Add(new ParameterError(JsonPath.Property(path, name), "is required."));
        }
    }
}
