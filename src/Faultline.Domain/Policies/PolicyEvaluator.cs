using System.Globalization;
using Faultline.Domain.Experiments;

namespace Faultline.Domain.Policies;

/// <summary>
/// Checks experiments against a team's <see cref="BlastRadiusPolicy"/> in two stages. <see cref="CheckSpec"/>
/// runs when an experiment is created or dry-run, before targets are known, and refuses what the selectors
/// alone already show to be out of bounds. <see cref="CheckPlan"/> runs just before injection, once targets
/// are resolved, and adds what only the real targets and the cluster's current load reveal. Both report every
/// violation at once rather than stopping at the first.
/// </summary>
public static class PolicyEvaluator
{
    // Kinds are compared without case: "Pod" and "pod" name the same kind, so this can never widen an allow list.
    private static readonly StringComparer KindComparer = StringComparer.OrdinalIgnoreCase;

    public static PolicyResult CheckSpec(ExperimentSpec spec, BlastRadiusPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(policy);

        var violations = new List<PolicyViolation>();
        var patterns = ParsePatterns(policy, violations);
        var approvalRequired = false;
        foreach (var (path, fault) in FaultLocations.Of(spec))
        {
            CheckFault(path, fault, policy, patterns, violations);

            // Before targets are known, a selector that leaves an approval label open might reach those targets,
            // so it is announced as needing approval; CheckPlan decides on the real targets.
            approvalRequired |= ApprovalLabels(policy).Any(pair =>
                !fault.Selector.Labels.TryGetValue(pair.Key, out var value) || Same(value, pair.Value));
        }

        return new PolicyResult(violations, approvalRequired);
    }

    public static PolicyResult CheckPlan(RunPlan plan, BlastRadiusPolicy policy, ClusterLoad load)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(load);

        var violations = new List<PolicyViolation>();
        var patterns = ParsePatterns(policy, violations);

        // The spec is checked again: the policy may have been tightened since the experiment was created.
        foreach (var (path, fault) in FaultLocations.Of(plan.Spec))
        {
            CheckFault(path, fault, policy, patterns, violations);
        }

        var approvalReasons = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var fault in plan.Spec.Faults)
        {
            foreach (var pair in ApprovalLabels(policy).Where(pair => fault.Selector.Labels.TryGetValue(pair.Key, out var value) && Same(value, pair.Value)))
            {
                approvalReasons.Add($"{pair.Key}={pair.Value}");
            }
        }

        foreach (var planned in plan.Faults)
        {
            foreach (var target in planned.Targets)
            {
                CheckTarget(planned.Path, target, policy, patterns, violations);
                foreach (var pair in ApprovalLabels(policy).Where(pair => target.Labels.TryGetValue(pair.Key, out var value) && Same(value, pair.Value)))
                {
                    approvalReasons.Add($"{pair.Key}={pair.Value}");
                }
            }
        }

        CheckServiceShare(plan, policy, load, violations);
        CheckConcurrency(plan, policy, load, violations);
        CheckApproval(plan.Request, approvalReasons, violations);
        return new PolicyResult(violations, approvalReasons.Count > 0);
    }

    private static List<ProtectedTargetPattern> ParsePatterns(BlastRadiusPolicy policy, List<PolicyViolation> violations)
    {
        var patterns = new List<ProtectedTargetPattern>();
        foreach (var text in policy.ProtectedTargets)
        {
            if (ProtectedTargetPattern.TryParse(text, out var pattern))
            {
                patterns.Add(pattern);
            }
            else
            {
                // Fail closed: skipping a broken entry would quietly unprotect whatever it was meant to protect.
                violations.Add(new(PolicyRules.ProtectedTarget, $"The policy's protected target '{text}' is not a valid pattern; no run may start until it is fixed.", null));
            }
        }

        return patterns;
    }

    private static void CheckFault(string path, FaultAction fault, BlastRadiusPolicy policy, List<ProtectedTargetPattern> patterns, List<PolicyViolation> violations)
    {
        var selector = fault.Selector;
        var selectorPath = $"{path}.selector";

        CheckAllowList(PolicyRules.AllowedNamespaces, "namespace", $"{selectorPath}.namespaces", selector.Namespaces, policy.AllowedNamespaces, StringComparer.Ordinal, violations);
        CheckAllowList(PolicyRules.AllowedKinds, "kind", $"{selectorPath}.kinds", selector.Kinds, policy.AllowedKinds, KindComparer, violations);

        foreach (var (key, required) in policy.RequiredLabels.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (!selector.Labels.TryGetValue(key, out var actual))
            {
                violations.Add(new(PolicyRules.RequiredLabels, $"The selector must pin the label {key}={required}.", $"{selectorPath}.labels"));
            }
            else if (!Same(actual, required))
            {
                violations.Add(new(PolicyRules.RequiredLabels, $"The label {key} is '{actual}' but the policy requires '{required}'.", $"{selectorPath}.labels.{key}"));
            }
        }

        if (policy.MaxFaultDuration is { } max && fault.Duration > max)
        {
            violations.Add(new(PolicyRules.MaxDuration, $"The fault lasts {Durations.Format(fault.Duration)}, over the policy's maximum of {Durations.Format(max)}.", $"{path}.duration"));
        }

        foreach (var pattern in patterns)
        {
            if (pattern.IsPinnedBy(selector.Labels))
            {
                violations.Add(new(PolicyRules.ProtectedTarget, $"The selector only selects targets protected by '{pattern}'.", $"{selectorPath}.labels"));
            }

            for (var i = 0; i < selector.Targets.Count; i++)
            {
                var id = selector.Targets[i];
                if (pattern.MatchesId(id) || selector.Kinds.Any(kind => pattern.MatchesId($"{kind}/{id}")))
                {
                    violations.Add(new(PolicyRules.ProtectedTarget, $"The target '{id}' is protected by '{pattern}'.", $"{selectorPath}.targets[{Index(i)}]"));
                }
            }
        }
    }

    private static void CheckAllowList(
        string rule, string noun, string path, IReadOnlyList<string> named, IReadOnlyList<string> allowed, StringComparer comparer, List<PolicyViolation> violations)
    {
        if (allowed.Count == 0)
        {
            return;
        }

        // An unnamed dimension means "any", which an allow list exists to rule out.
        if (named.Count == 0)
        {
            violations.Add(new(rule, $"The selector must name its {noun}s; the policy allows only {List(allowed)}.", path));
            return;
        }

        for (var i = 0; i < named.Count; i++)
        {
            if (!allowed.Contains(named[i], comparer))
            {
                violations.Add(new(rule, $"The {noun} '{named[i]}' is not allowed; the policy allows only {List(allowed)}.", $"{path}[{Index(i)}]"));
            }
        }
    }

    // Discovery can return more than the selector promised (explicit ids, a provider ignoring a filter), so the
    // resolved targets are held to the same rules as the selector.
    private static void CheckTarget(string path, PlannedTarget target, BlastRadiusPolicy policy, List<ProtectedTargetPattern> patterns, List<PolicyViolation> violations)
    {
        if (policy.AllowedKinds.Count > 0 && !policy.AllowedKinds.Contains(target.Kind, KindComparer))
        {
            violations.Add(new(PolicyRules.AllowedKinds, $"The target {target.Key} is of kind '{target.Kind}'; the policy allows only {List(policy.AllowedKinds)}.", path));
        }

        if (policy.AllowedNamespaces.Count > 0 && target.Namespace is { } ns && !policy.AllowedNamespaces.Contains(ns, StringComparer.Ordinal))
        {
            violations.Add(new(PolicyRules.AllowedNamespaces, $"The target {target.Key} is in namespace '{ns}'; the policy allows only {List(policy.AllowedNamespaces)}.", path));
        }

        foreach (var (key, required) in policy.RequiredLabels.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (!target.Labels.TryGetValue(key, out var actual) || !Same(actual, required))
            {
                violations.Add(new(PolicyRules.RequiredLabels, $"The target {target.Key} does not carry the required label {key}={required}.", path));
            }
        }

        foreach (var pattern in patterns.Where(pattern => pattern.Matches(target)))
        {
            violations.Add(new(PolicyRules.ProtectedTarget, $"The target {target.Key} is protected by '{pattern}'.", path));
        }
    }

    private static void CheckServiceShare(RunPlan plan, BlastRadiusPolicy policy, ClusterLoad load, List<PolicyViolation> violations)
    {
        if (policy.MaxSharePercentOfService is not { } maxPercent)
        {
            return;
        }

        // Targets are counted once however many runs or faults hit them: a pod faulted twice is one pod down.
        var alreadyFaulted = load.Running
            .SelectMany(run => run.FaultedTargets)
            .Select(target => (Service: ServiceOf(target, policy), target.Key))
            .Where(entry => entry.Service is not null)
            .GroupBy(entry => entry.Service!, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.Select(entry => entry.Key).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);

        // All faults of the plan count as simultaneous: sequential steps would not overlap, but parallel branches
        // and slow rollbacks do, and the upper bound errs toward refusing.
        var planned = plan.DistinctTargets
            .Select(target => (Service: ServiceOf(target, policy), target.Key))
            .Where(entry => entry.Service is not null)
            .GroupBy(entry => entry.Service!, StringComparer.Ordinal)
            .OrderBy(group => group.Key, StringComparer.Ordinal);

        foreach (var group in planned)
        {
            var already = alreadyFaulted.GetValueOrDefault(group.Key) ?? [];
            var added = group.Count(entry => !already.Contains(entry.Key));
            var faulted = already.Count + added;

            // A missing or stale size must not let a service be emptied: it is never taken below what is known.
            var size = Math.Max(load.ServiceSizes.GetValueOrDefault(group.Key), faulted);

            // Integer comparison so that exactly the limit is allowed, free of floating-point rounding.
            if (faulted * 100L > maxPercent * (long)size)
            {
                var percent = (faulted * 100.0 / size).ToString("0.#", CultureInfo.InvariantCulture);
                violations.Add(new(
                    PolicyRules.MaxServiceShare,
                    $"Service '{group.Key}' would have {faulted} of {size} targets faulted at once ({percent}%), over the policy's limit of {maxPercent}%: "
                        + $"{already.Count} already faulted by running experiments, {added} added by this run.",
                    null));
            }
        }
    }

    private static void CheckConcurrency(RunPlan plan, BlastRadiusPolicy policy, ClusterLoad load, List<PolicyViolation> violations)
    {
        if (policy.MaxConcurrentRuns is not { } max)
        {
            return;
        }

        var running = load.Running.Count(run => string.Equals(run.Team, plan.Team, StringComparison.Ordinal));
        if (running + 1 > max)
        {
            violations.Add(new(
                PolicyRules.MaxConcurrentRuns,
                $"Team '{plan.Team}' already has {running} run(s) in progress; the policy allows at most {max} at once.",
                null));
        }
    }

    private static void CheckApproval(RunRequest request, SortedSet<string> reasons, List<PolicyViolation> violations)
    {
        if (reasons.Count == 0)
        {
            return;
        }

        var why = string.Join(", ", reasons);
        var approver = request.ApprovedBy?.Trim();
        if (string.IsNullOrEmpty(approver))
        {
            violations.Add(new(PolicyRules.ApprovalRequired, $"Runs against {why} need the approval of another person with the approver role.", null));
            return;
        }

        // Identities are user ids or e-mail addresses, where case never makes two different people.
        if (string.Equals(approver, request.RequestedBy.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            violations.Add(new(PolicyRules.SelfApproval, $"'{approver}' requested the run and cannot also approve it; runs against {why} need a second person.", null));
        }

        if (!request.ApproverHasRole)
        {
            violations.Add(new(PolicyRules.ApprovalRequired, $"'{approver}' does not hold the approver role; runs against {why} need an approver's approval.", null));
        }
    }

    private static IEnumerable<KeyValuePair<string, string>> ApprovalLabels(BlastRadiusPolicy policy) =>
        policy.ApprovalRequiredLabels.OrderBy(pair => pair.Key, StringComparer.Ordinal);

    private static string? ServiceOf(PlannedTarget target, BlastRadiusPolicy policy) =>
        target.Labels.TryGetValue(policy.ServiceLabel, out var service) ? service : null;

    private static bool Same(string left, string right) => string.Equals(left, right, StringComparison.Ordinal);

    private static string List(IEnumerable<string> values) => string.Join(", ", values.Select(value => $"'{value}'"));

    private static string Index(int i) => i.ToString(CultureInfo.InvariantCulture);
}
