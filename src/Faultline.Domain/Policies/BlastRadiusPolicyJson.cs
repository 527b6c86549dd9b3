using System.Text.Json.Nodes;
using Faultline.Domain.Experiments;
using Faultline.Domain.Validation;

namespace Faultline.Domain.Policies;

/// <summary>
/// The JSON form of a <see cref="BlastRadiusPolicy"/>, as the API accepts it and the database stores it:
/// camelCase fields, durations as text (<c>10m</c>). Reading reports every error with its path.
/// </summary>
public static class BlastRadiusPolicyJson
{
    private static readonly string[] Fields =
    [
        "allowedNamespaces", "allowedKinds", "requiredLabels", "protectedTargets", "maxFaultDuration", "maxSharePercentOfService",
        "serviceLabel", "maxConcurrentRuns", "approvalRequiredLabels",
    ];

    public static BlastRadiusPolicy? Read(JsonNode? node, ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var reader = new NodeReader(errors);
        var root = reader.Mapping(node, "$");
        if (root is null)
        {
            return null;
        }

        reader.OnlyKnown(root, "$", Fields);
        var policy = new BlastRadiusPolicy
        {
            AllowedNamespaces = reader.StringList(root, "allowedNamespaces", "$.allowedNamespaces"),
            AllowedKinds = reader.StringList(root, "allowedKinds", "$.allowedKinds"),
            RequiredLabels = reader.StringMap(root, "requiredLabels", "$.requiredLabels"),
            ProtectedTargets = reader.StringList(root, "protectedTargets", "$.protectedTargets"),
            MaxFaultDuration = reader.Duration(root, "maxFaultDuration", "$.maxFaultDuration", false, TimeSpan.FromMilliseconds(1), ExperimentSpecReader.MaxFaultDuration),
            MaxSharePercentOfService = reader.WholeNumber(root, "maxSharePercentOfService", "$.maxSharePercentOfService", 1, 100),
            ServiceLabel = reader.Text(root, "serviceLabel", "$.serviceLabel", maxLength: 253) ?? BlastRadiusPolicy.DefaultServiceLabel,
            MaxConcurrentRuns = reader.WholeNumber(root, "maxConcurrentRuns", "$.maxConcurrentRuns", 0, 10_000),
            ApprovalRequiredLabels = reader.StringMap(root, "approvalRequiredLabels", "$.approvalRequiredLabels"),
        };
        policy.Validate(errors);
        return errors.IsEmpty ? policy : null;
    }

    public static JsonObject Write(BlastRadiusPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var json = new JsonObject
        {
            ["allowedNamespaces"] = Array(policy.AllowedNamespaces),
            ["allowedKinds"] = Array(policy.AllowedKinds),
            ["requiredLabels"] = Map(policy.RequiredLabels),
            ["protectedTargets"] = Array(policy.ProtectedTargets),
            ["serviceLabel"] = policy.ServiceLabel,
            ["approvalRequiredLabels"] = Map(policy.ApprovalRequiredLabels),
        };

        // Absent, not null, means "no limit": the reader treats the two alike only for absence.
        if (policy.MaxFaultDuration is { } max)
        {
            json["maxFaultDuration"] = Durations.Format(max);
        }

        if (policy.MaxSharePercentOfService is { } share)
        {
            json["maxSharePercentOfService"] = share;
        }

        if (policy.MaxConcurrentRuns is { } runs)
        {
            json["maxConcurrentRuns"] = runs;
        }

        return json;
    }

    private static JsonArray Array(IEnumerable<string> values) => [.. values.Select(value => (JsonNode?)JsonValue.Create(value))];

    private static JsonObject Map(IReadOnlyDictionary<string, string> values)
    {
        var map = new JsonObject();
        foreach (var (key, value) in values.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            map[key] = value;
        }

        return map;
    }
}
