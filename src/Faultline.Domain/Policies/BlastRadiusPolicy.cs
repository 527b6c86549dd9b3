using System.Globalization;
using Faultline.Domain.Validation;

namespace Faultline.Domain.Policies;

/// <summary>
/// How much damage one team's experiments may do. Every limit is optional: an empty list or a <c>null</c>
/// limit means "no restriction", so <see cref="Unrestricted"/> (the default) allows everything and a team
/// opts into each rule separately.
/// </summary>
public sealed record BlastRadiusPolicy : IValidatable
{
    public const string DefaultServiceLabel = "app";

    public static BlastRadiusPolicy Unrestricted { get; } = new();

    /// <summary>Namespaces a selector may name. When set, a selector must name its namespaces explicitly.</summary>
    public IReadOnlyList<string> AllowedNamespaces { get; init; } = [];

    /// <summary>Target kinds a selector may name. When set, a selector must name its kinds explicitly.</summary>
    public IReadOnlyList<string> AllowedKinds { get; init; } = [];

    /// <summary>Label values every selector must pin, e.g. <c>env=staging</c> keeps a team out of production.</summary>
    public IReadOnlyDictionary<string, string> RequiredLabels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Targets never hit, as <see cref="ProtectedTargetPattern"/>s: an id glob (<c>db-*</c>, <c>pod/payments-*</c>)
    /// or a label selector (<c>tier=payments-db</c>).
    /// </summary>
    public IReadOnlyList<string> ProtectedTargets { get; init; } = [];

    public TimeSpan? MaxFaultDuration { get; init; }

    /// <summary>
    /// The largest percentage of one service's targets that may be faulted at once, counting the running
    /// experiments of every team. The service of a target is the value of its <see cref="ServiceLabel"/>.
    /// </summary>
    public int? MaxSharePercentOfService { get; init; }

    public string ServiceLabel { get; init; } = DefaultServiceLabel;

    /// <summary>How many runs of the team may be in progress at once, this one included.</summary>
    public int? MaxConcurrentRuns { get; init; }

    /// <summary>Labels (e.g. <c>env=production</c>) whose targets need the approval of a second person holding the approver role.</summary>
    public IReadOnlyDictionary<string, string> ApprovalRequiredLabels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public void Validate(ValidationErrors errors)
    {
        for (var i = 0; i < ProtectedTargets.Count; i++)
        {
            if (!ProtectedTargetPattern.TryParse(ProtectedTargets[i], out _))
            {
                errors.Add(Indexed("$.protectedTargets", i), "must be an id pattern (db-*) or label selectors (key=value,key=value).");
            }
        }

        if (MaxFaultDuration is { } duration && duration <= TimeSpan.Zero)
        {
            errors.Add("$.maxFaultDuration", "must be positive.");
        }

        if (MaxSharePercentOfService is { } share && share is < 1 or > 100)
        {
            errors.Add("$.maxSharePercentOfService", "must be between 1 and 100.");
        }

        // Zero is allowed on purpose: it freezes a team's experiments without deleting its policy.
        if (MaxConcurrentRuns is < 0)
        {
            errors.Add("$.maxConcurrentRuns", "must not be negative.");
        }

        errors.RequireText("$.serviceLabel", ServiceLabel, 253);
    }

    private static string Indexed(string path, int index) => $"{path}[{index.ToString(CultureInfo.InvariantCulture)}]";
}
