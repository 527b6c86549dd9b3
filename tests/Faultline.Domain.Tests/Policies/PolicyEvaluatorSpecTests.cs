using Faultline.Domain.Experiments;
using Faultline.Domain.Policies;
using static Faultline.Domain.Tests.Policies.PolicyFixtures;

namespace Faultline.Domain.Tests.Policies;

public sealed class PolicyEvaluatorSpecTests
{
    private const string Fault0 = "$.spec.method[0]";

    [Fact]
    public void An_empty_policy_allows_any_spec_without_approval()
    {
        var spec = Spec(
            Fault(Selector(kinds: null, namespaces: null, labels: null, targets: "db-0")),
            Fault(Selector(kinds: "process", namespaces: "prod", labels: "env=production,tier=payments-db"), TimeSpan.FromHours(24)));

        var result = PolicyEvaluator.CheckSpec(spec, BlastRadiusPolicy.Unrestricted);

        Assert.True(result.IsAllowed);
        Assert.Empty(result.Violations);
        Assert.False(result.ApprovalRequired);
    }

    [Theory]
    [InlineData("staging", new string[0])]
    [InlineData("staging,dev", new string[0])]
    [InlineData("prod", new[] { Fault0 + ".selector.namespaces[0]" })]
    [InlineData("staging,prod,kube-system", new[] { Fault0 + ".selector.namespaces[1]", Fault0 + ".selector.namespaces[2]" })]
    [InlineData("Staging", new[] { Fault0 + ".selector.namespaces[0]" })]
    [InlineData("", new[] { Fault0 + ".selector.namespaces" })]
    public void Selector_namespaces_must_be_named_and_allowed(string namespaces, string[] paths)
    {
        var policy = new BlastRadiusPolicy { AllowedNamespaces = ["staging", "dev"] };

        var result = PolicyEvaluator.CheckSpec(Spec(Fault(Selector(namespaces: namespaces))), policy);

        Assert.Equal(paths, result.Violations.Select(violation => violation.Path));
        Assert.All(result.Violations, violation => Assert.Equal(PolicyRules.AllowedNamespaces, violation.Rule));
        Assert.All(result.Violations, violation => Assert.Contains("'staging', 'dev'", violation.Message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("pod", new string[0])]
    [InlineData("Pod", new string[0])]
    [InlineData("process", new[] { Fault0 + ".selector.kinds[0]" })]
    [InlineData("pod,host", new[] { Fault0 + ".selector.kinds[1]" })]
    [InlineData("", new[] { Fault0 + ".selector.kinds" })]
    public void Selector_kinds_must_be_named_and_allowed(string kinds, string[] paths)
    {
        var policy = new BlastRadiusPolicy { AllowedKinds = ["pod", "container"] };

        var result = PolicyEvaluator.CheckSpec(Spec(Fault(Selector(kinds: kinds))), policy);

        Assert.Equal(paths, result.Violations.Select(violation => violation.Path));
        Assert.All(result.Violations, violation => Assert.Equal(PolicyRules.AllowedKinds, violation.Rule));
    }

    [Theory]
    [InlineData("env=staging,team=a", new string[0])]
    [InlineData("env=staging,team=a,app=x", new string[0])]
    [InlineData("team=a", new[] { Fault0 + ".selector.labels" })]
    [InlineData("env=production,team=a", new[] { Fault0 + ".selector.labels.env" })]
    [InlineData("env=Staging,team=b", new[] { Fault0 + ".selector.labels.env", Fault0 + ".selector.labels.team" })]
    [InlineData("", new[] { Fault0 + ".selector.labels", Fault0 + ".selector.labels" })]
    public void Selectors_must_pin_the_required_label_values(string labels, string[] paths)
    {
        var policy = new BlastRadiusPolicy { RequiredLabels = Labels("env=staging,team=a") };

        var result = PolicyEvaluator.CheckSpec(Spec(Fault(Selector(labels: labels))), policy);

        Assert.Equal(paths, result.Violations.Select(violation => violation.Path));
        Assert.All(result.Violations, violation => Assert.Equal(PolicyRules.RequiredLabels, violation.Rule));
    }

    [Fact]
    public void A_wrong_required_label_value_names_both_values()
    {
        var policy = new BlastRadiusPolicy { RequiredLabels = Labels("env=staging") };

        var violation = Assert.Single(PolicyEvaluator.CheckSpec(Spec(Fault(Selector(labels: "env=production"))), policy).Violations);

        Assert.Contains("'production'", violation.Message, StringComparison.Ordinal);
        Assert.Contains("'staging'", violation.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(299, true)]
    [InlineData(300, true)]
    [InlineData(301, false)]
    [InlineData(3600, false)]
    public void A_fault_may_last_up_to_exactly_the_maximum(int seconds, bool allowed)
    {
        var policy = new BlastRadiusPolicy { MaxFaultDuration = TimeSpan.FromMinutes(5) };

        var result = PolicyEvaluator.CheckSpec(Spec(Fault(duration: TimeSpan.FromSeconds(seconds))), policy);

        Assert.Equal(allowed, result.IsAllowed);
        if (!allowed)
        {
            var violation = Assert.Single(result.Violations);
            Assert.Equal(PolicyRules.MaxDuration, violation.Rule);
            Assert.Equal(Fault0 + ".duration", violation.Path);
            Assert.Contains($"{seconds}s", violation.Message, StringComparison.Ordinal);
            Assert.Contains("300s", violation.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Faults_in_parallel_branches_and_rollbacks_are_checked_at_their_own_paths()
    {
        var tooLong = Fault(duration: TimeSpan.FromMinutes(10));
        var method = new MethodStep[]
        {
            new PauseStep(TimeSpan.FromSeconds(1)),
            new ParallelStep([[new FaultStep(Fault())], [new PauseStep(TimeSpan.FromSeconds(1)), new FaultStep(tooLong)]]),
        };
        var policy = new BlastRadiusPolicy { MaxFaultDuration = TimeSpan.FromMinutes(5) };

        var result = PolicyEvaluator.CheckSpec(Spec(method, [tooLong]), policy);

        Assert.Equal(
            ["$.spec.method[1].parallel[1][1].duration", "$.spec.rollbacks[0].duration"],
            result.Violations.Select(violation => violation.Path));
    }

    [Theory]
    [InlineData("tier=payments-db", "env=staging,tier=payments-db", true)]
    [InlineData("tier=payments-db", "env=staging,tier=web", false)]
    [InlineData("tier=payments-db", "env=staging", false)]
    [InlineData("tier=payments-db,region=eu", "tier=payments-db", false)]
    [InlineData("tier=payments-db,region=eu", "tier=payments-db,region=eu", true)]
    [InlineData("db-*", "tier=payments-db", false)]
    public void A_selector_pinning_a_protected_label_selector_is_refused_before_targets_are_known(string pattern, string labels, bool refused)
    {
        var policy = new BlastRadiusPolicy { ProtectedTargets = [pattern] };

        var result = PolicyEvaluator.CheckSpec(Spec(Fault(Selector(labels: labels))), policy);

        Assert.Equal(refused, !result.IsAllowed);
        if (refused)
        {
            var violation = Assert.Single(result.Violations);
            Assert.Equal(PolicyRules.ProtectedTarget, violation.Rule);
            Assert.Equal(Fault0 + ".selector.labels", violation.Path);
            Assert.Contains(pattern, violation.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("db-*", "web-0,db-1", "pod", new[] { Fault0 + ".selector.targets[1]" })]
    [InlineData("pod/db-*", "db-1", "pod", new[] { Fault0 + ".selector.targets[0]" })]
    [InlineData("process/db-*", "db-1", "pod", new string[0])]
    [InlineData("db-*", "web-0", "pod", new string[0])]
    [InlineData("tier=payments-db", "db-1", "pod", new string[0])]
    public void Explicit_target_ids_matching_a_protected_pattern_are_refused(string pattern, string targets, string kinds, string[] paths)
    {
        var policy = new BlastRadiusPolicy { ProtectedTargets = [pattern] };

        var result = PolicyEvaluator.CheckSpec(Spec(Fault(Selector(kinds: kinds, targets: targets))), policy);

        Assert.Equal(paths, result.Violations.Select(violation => violation.Path));
        Assert.All(result.Violations, violation => Assert.Equal(PolicyRules.ProtectedTarget, violation.Rule));
    }

    [Theory]
    [InlineData("env=production", true)]
    [InlineData("env=staging", false)]
    [InlineData("app=checkout", true)]
    [InlineData("", true)]
    public void Approval_is_announced_when_a_selector_pins_or_leaves_open_an_approval_label(string labels, bool required)
    {
        var policy = new BlastRadiusPolicy { ApprovalRequiredLabels = Labels("env=production") };

        var result = PolicyEvaluator.CheckSpec(Spec(Fault(Selector(labels: labels))), policy);

        Assert.Equal(required, result.ApprovalRequired);
        Assert.True(result.IsAllowed);
    }

    [Fact]
    public void Every_violation_is_reported_at_once()
    {
        var policy = new BlastRadiusPolicy
        {
            AllowedNamespaces = ["staging"],
            AllowedKinds = ["pod"],
            RequiredLabels = Labels("env=staging"),
            ProtectedTargets = ["tier=payments-db", "db-*"],
            MaxFaultDuration = TimeSpan.FromMinutes(5),
        };
        var spec = Spec(
            Fault(Selector(kinds: "host", namespaces: "prod", labels: "tier=payments-db", targets: "db-0"), TimeSpan.FromMinutes(6)),
            Fault());

        var result = PolicyEvaluator.CheckSpec(spec, policy);

        Assert.False(result.IsAllowed);
        Assert.Equal(
            [
                (PolicyRules.AllowedNamespaces, Fault0 + ".selector.namespaces[0]"),
                (PolicyRules.AllowedKinds, Fault0 + ".selector.kinds[0]"),
                (PolicyRules.RequiredLabels, Fault0 + ".selector.labels"),
                (PolicyRules.MaxDuration, Fault0 + ".duration"),
                (PolicyRules.ProtectedTarget, Fault0 + ".selector.labels"),
                (PolicyRules.ProtectedTarget, Fault0 + ".selector.targets[0]"),
            ],
            result.Violations.Select(violation => (violation.Rule, violation.Path)));
    }

    [Fact]
    public void A_broken_protected_pattern_fails_closed()
    {
        var policy = new BlastRadiusPolicy { ProtectedTargets = ["tier="] };

        var violation = Assert.Single(PolicyEvaluator.CheckSpec(Spec(Fault()), policy).Violations);

        Assert.Equal(PolicyRules.ProtectedTarget, violation.Rule);
        Assert.Null(violation.Path);
        Assert.Contains("'tier='", violation.Message, StringComparison.Ordinal);
    }
}
