using System.Text.Json;
using Faultline.Sdk.Validation;

namespace Faultline.Plugins.Prometheus;

/// <summary>
/// How an https connection is checked and what client certificate it presents (<c>tls</c>). Equal settings share
/// one connection pool (<see cref="PrometheusClients"/>), so this is a value: the pool's key. The files are read
/// when the pool is made, on the node that queries, not at validation: the node that validates an experiment
/// need not be the one that runs it.
/// </summary>
internal sealed record PrometheusTls(string? CaFile, string? CertFile, string? KeyFile, string? ServerName, bool InsecureSkipVerify)
{
    public static PrometheusTls Default { get; } = new(null, null, null, null, false);

    public static PrometheusTls? Read(JsonElement value, List<ParameterError> errors)
    {
        const string path = "$.tls";
        if (!ConfigValue.Object(value, path, "of caFile, certFile, keyFile, serverName and insecureSkipVerify", errors))
        {
            return null;
        }

        var before = errors.Count;
        var tls = Default;
        foreach (var property in value.EnumerateObject())
        {
            var propertyPath = JsonPath.Property(path, property.Name);
            var item = property.Value;
            tls = property.Name switch
            {
                "caFile" => tls with { CaFile = ConfigValue.NonEmptyString(item, propertyPath, errors) },
                "certFile" => tls with { CertFile = ConfigValue.NonEmptyString(item, propertyPath, errors) },
                "keyFile" => tls with { KeyFile = ConfigValue.NonEmptyString(item, propertyPath, errors) },
                "serverName" => tls with { ServerName = ConfigValue.NonEmptyString(item, propertyPath, errors) },
                "insecureSkipVerify" => tls with { InsecureSkipVerify = ConfigValue.Boolean(item, propertyPath, errors) ?? false },
                _ => Unknown(tls, propertyPath, errors),
            };
        }

        // A client certificate is a pair: one half alone cannot be presented.
        if (value.TryGetProperty("certFile", out _) != value.TryGetProperty("keyFile", out _))
        {
            var missing = value.TryGetProperty("certFile", out _) ? "keyFile" : "certFile";
            errors.Add(new ParameterError($"{path}.{missing}", "is required with the other half of the client certificate (certFile and keyFile go together)."));
        }

        // Skipping verification makes a CA or an expected name meaningless; allowing both would hide which one holds.
        if (tls.InsecureSkipVerify && (value.TryGetProperty("caFile", out _) || value.TryGetProperty("serverName", out _)))
        {
            errors.Add(new ParameterError($"{path}.insecureSkipVerify", "cannot go with caFile or serverName: it skips the checks they configure."));
        }

        return errors.Count > before ? null : tls;
    }

    private static PrometheusTls Unknown(PrometheusTls tls, string path, List<ParameterError> errors)
    {
        errors.Add(new ParameterError(path, "is not a setting of tls; use caFile, certFile, keyFile, serverName or insecureSkipVerify."));
        return tls;
    }
}
