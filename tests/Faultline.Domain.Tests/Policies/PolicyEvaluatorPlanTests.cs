using Faultline.Domain.Policies;
using static Faultline.Domain.Tests.Policies.PolicyFixtures;

namespace Faultline.Domain.Tests.Policies;

public sealed class PolicyEvaluatorPlanTests
{
    private const string Fault0 = "$.spec.method[0]";

    private static readonly Dictionary<string, int> CheckoutOfTen = new(StringComparer.Ordinal) { ["checkout"] = 10, ["cart"] = 4 };

    [Fact]
    public void An_empty_policy_allows_any_plan_whatever_the_load()
    {
        var load = Load(CheckoutOfTen, Running("team-a", [.. Pods("checkout", 0, 10)]), Running("team-a"), Running("team-b"));
        var plan = Plan(Spec(Fault()), new RunRequest("alice", "alice"), [Pod("db-0", "env=production,app=checkout,tier=payments-db", "prod")]);

        var result = PolicyEvaluator.CheckPlan(plan, BlastRadiusPolicy.Unrestricted, load);

        Assert.True(result.IsAllowed);
        Assert.False(result.ApprovalRequired);
    }

    [Fact]
    public void Another_teams_faults_count_toward_the_share_of_a_service()
    {
        // checkout has 10 pods, team-b already faults 3, this run adds 2: 50% against a 40% limit.
        var load = Load(CheckoutOfTen, Running("team-b", [.. Pods("checkout", 0, 3)]));
        var plan = Plan([.. Pods("checkout", 3, 2)]);

        var result = PolicyEvaluator.CheckPlan(plan, new BlastRadiusPolicy { MaxSharePercentOfService = 40 }, load);

        var violation = Assert.Single(result.Violations);
        Assert.Equal(PolicyRules.MaxServiceShare, violation.Rule);
        Assert.Null(violation.Path);
        Assert.Equal(
            "Service 'checkout' would have 5 of 10 targets faulted at once (50%), over the policy's limit of 40%: "
                + "3 already faulted by running experiments, 2 added by this run.",
            violation.Message);
    }

    [Theory]
    // size, faulted by others, added by this plan, limit, allowed
    [InlineData(10, 2, 2, 40, true)] // exactly at the limit
    [InlineData(10, 3, 2, 40, false)]
    [InlineData(10, 0, 4, 40, true)]
    [InlineData(10, 0, 5, 40, false)]
    [InlineData(3, 0, 1, 33, false)] // 33.3% is over 33%
    [InlineData(3, 0, 1, 34, true)]
    [InlineData(10, 9, 1, 100, true)]
    [InlineData(10, 0, 1, 1, false)]
    [InlineData(200, 0, 2, 1, true)]
    public void The_share_is_the_running_faults_plus_this_plan_over_the_service_size(int size, int others, int added, int limit, bool allowed)
    {
        var load = Load(new Dictionary<string, int>(StringComparer.Ordinal) { ["checkout"] = size }, Running("team-b", [.. Pods("checkout", 0, others)]));
        var plan = Plan([.. Pods("checkout", others, added)]);

        var result = PolicyEvaluator.CheckPlan(plan, new BlastRadiusPolicy { MaxSharePercentOfService = limit }, load);

        Assert.Equal(allowed, result.IsAllowed);
        Assert.All(result.Violations, violation => Assert.Equal(PolicyRules.MaxServiceShare, violation.Rule));
    }

    [Fact]
    public void A_target_faulted_by_several_runs_and_faults_counts_once()
    {
        // Others fault checkout-0..2 twice over; this plan hits checkout-2 (already down) and checkout-3 in two faults.
        var load = Load(CheckoutOfTen, Running("team-b", [.. Pods("checkout", 0, 3)]), Running("team-c", [.. Pods("checkout", 1, 2)]));
        var plan = new RunPlan(
            Spec(Fault(), Fault()),
            "team-a",
            [new PlannedFault(Fault0, [Pod("checkout-2"), Pod("checkout-3")]), new PlannedFault("$.spec.method[1]", [Pod("checkout-3")])],
            new RunRequest("alice"));

        var result = PolicyEvaluator.CheckPlan(plan, new BlastRadiusPolicy { MaxSharePercentOfService = 40 }, load);

        Assert.True(result.IsAllowed);
        var tighter = PolicyEvaluator.CheckPlan(plan, new BlastRadiusPolicy { MaxSharePercentOfService = 39 }, load);
        Assert.Contains("4 of 10", Assert.Single(tighter.Violations).Message, StringComparison.Ordinal);
        Assert.Contains("3 already faulted by running experiments, 1 added by this run", tighter.Violations[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_teams_own_running_experiments_count_toward_the_share_too()
    {
        var load = Load(CheckoutOfTen, Running("team-a", [.. Pods("checkout", 0, 4)]));

        var result = PolicyEvaluator.CheckPlan(Plan(Pod("checkout-9")), new BlastRadiusPolicy { MaxSharePercentOfService = 40 }, load);

        Assert.Equal([PolicyRules.MaxServiceShare], Rules(result));
    }

    [Fact]
    public void Each_service_the_plan_touches_is_checked_on_its_own_and_others_are_left_alone()
    {
        // cart is 4 pods and this run takes 2 (50%); checkout takes 1 of 10; payments is overloaded but untouched.
        var sizes = new Dictionary<string, int>(StringComparer.Ordinal) { ["checkout"] = 10, ["cart"] = 4, ["payments"] = 2 };
        var load = Load(sizes, Running("team-b", [.. Pods("payments", 0, 2)]));
        var plan = Plan([.. Pods("checkout", 0, 1), .. Pods("cart", 0, 2), Pod("sidecar-0", "env=staging")]);

        var result = PolicyEvaluator.CheckPlan(plan, new BlastRadiusPolicy { MaxSharePercentOfService = 40 }, load);

        var violation = Assert.Single(result.Violations);
        Assert.Contains("'cart' would have 2 of 4", violation.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void An_unknown_or_stale_service_size_never_lets_a_service_be_emptied(int reportedSize)
    {
        var load = Load(new Dictionary<string, int>(StringComparer.Ordinal) { ["checkout"] = reportedSize });

        var result = PolicyEvaluator.CheckPlan(Plan([.. Pods("checkout", 0, 2)]), new BlastRadiusPolicy { MaxSharePercentOfService = 50 }, load);

        Assert.Contains("2 of 2 targets faulted at once (100%)", Assert.Single(result.Violations).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_service_label_is_configurable()
    {
        var load = Load(CheckoutOfTen);
        var plan = Plan(Pod("a", "service=checkout"), Pod("b", "service=checkout"), Pod("c", "app=checkout"));

        var byService = PolicyEvaluator.CheckPlan(plan, new BlastRadiusPolicy { MaxSharePercentOfService = 10, ServiceLabel = "service" }, load);
        var byApp = PolicyEvaluator.CheckPlan(plan, new BlastRadiusPolicy { MaxSharePercentOfService = 10 }, load);

        Assert.Contains("2 of 10", Assert.Single(byService.Violations).Message, StringComparison.Ordinal);
        Assert.True(byApp.IsAllowed);
    }

    [Theory]
    // runs of this team, runs of other teams, limit, allowed
    [InlineData(0, 0, 1, true)]
    [InlineData(1, 0, 2, true)] // this run makes exactly the limit
    [InlineData(2, 0, 2, false)]
    [InlineData(3, 0, 2, false)]
    [InlineData(0, 5, 1, true)]
    [InlineData(0, 0, 0, false)]
    public void A_team_may_run_at_most_the_maximum_at_once_counting_this_run(int mine, int others, int limit, bool allowed)
    {
        var running = Enumerable.Range(0, mine).Select(_ => Running("team-a"))
            .Concat(Enumerable.Range(0, others).Select(_ => Running("team-b")))
            .ToArray();

        var result = PolicyEvaluator.CheckPlan(Plan(Pod("checkout-0")), new BlastRadiusPolicy { MaxConcurrentRuns = limit }, Load(null, running));

        Assert.Equal(allowed, result.IsAllowed);
        if (!allowed)
        {
            var violation = Assert.Single(result.Violations);
            Assert.Equal(PolicyRules.MaxConcurrentRuns, violation.Rule);
            Assert.Equal($"Team 'team-a' already has {mine} run(s) in progress; the policy allows at most {limit} at once.", violation.Message);
        }
    }

    [Theory]
    [InlineData("db-*", "db-0", "app=db", true)]
    [InlineData("pod/db-*", "db-0", "app=db", true)]
    [InlineData("process/db-*", "db-0", "app=db", false)]
    [InlineData("tier=payments-db", "pg-0", "app=pg,tier=payments-db", true)]
    [InlineData("tier=payments-db", "pg-0", "app=pg,tier=web", false)]
    public void A_resolved_target_matching_a_protected_pattern_is_refused(string pattern, string id, string labels, bool refused)
    {
        var plan = Plan(Spec(Fault(Selector(labels: null))), new RunRequest("alice"), [Pod("web-0", "app=web"), Pod(id, labels)]);

        var result = PolicyEvaluator.CheckPlan(plan, new BlastRadiusPolicy { ProtectedTargets = [pattern] }, ClusterLoad.Idle);

        Assert.Equal(refused, !result.IsAllowed);
        if (refused)
        {
            var violation = Assert.Single(result.Violations);
            Assert.Equal(PolicyRules.ProtectedTarget, violation.Rule);
            Assert.Equal(Fault0, violation.Path);
            Assert.Equal($"The target pod/{id} is protected by '{pattern}'.", violation.Message);
        }
    }

    [Fact]
    public void Resolved_targets_are_held_to_the_allowed_kinds_namespaces_and_required_labels()
    {
        // Discovery may return more than the selector promised; the policy holds for what would really be hit.
        var policy = new BlastRadiusPolicy { AllowedKinds = ["pod"], AllowedNamespaces = ["staging"], RequiredLabels = Labels("env=staging") };
        var plan = Plan(
            Pod("ok-0"),
            new PlannedTarget("host", "node-1", Labels("env=staging")),
            Pod("prod-0", "env=staging", "prod"),
            Pod("prod-1", "env=production"),
            new PlannedTarget("pod", "cluster-scoped", Labels("env=staging")));

        var result = PolicyEvaluator.CheckPlan(plan, policy, ClusterLoad.Idle);

        Assert.Equal([PolicyRules.AllowedKinds, PolicyRules.AllowedNamespaces, PolicyRules.RequiredLabels], Rules(result));
        Assert.All(result.Violations, violation => Assert.Equal(Fault0, violation.Path));
        Assert.Contains("host/node-1", result.Violations[0].Message, StringComparison.Ordinal);
        Assert.Contains("pod/prod-0", result.Violations[1].Message, StringComparison.Ordinal);
        Assert.Contains("pod/prod-1", result.Violations[2].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, true, new[] { PolicyRules.ApprovalRequired })]
    [InlineData("  ", true, new[] { PolicyRules.ApprovalRequired })]
    [InlineData("alice", true, new[] { PolicyRules.SelfApproval })]
    [InlineData("ALICE", true, new[] { PolicyRules.SelfApproval })]
    [InlineData("alice", false, new[] { PolicyRules.SelfApproval, PolicyRules.ApprovalRequired })]
    [InlineData("bob", false, new[] { PolicyRules.ApprovalRequired })]
    [InlineData("bob", true, new string[0])]
    public void A_production_run_needs_another_person_with_the_approver_role(string? approvedBy, bool approverHasRole, string[] rules)
    {
        var policy = new BlastRadiusPolicy { ApprovalRequiredLabels = Labels("env=production") };
        var spec = Spec(Fault(Selector(labels: "env=production")));
        var plan = Plan(spec, new RunRequest("alice", approvedBy, approverHasRole), [Pod("checkout-0", "env=production,app=checkout")]);

        var result = PolicyEvaluator.CheckPlan(plan, policy, ClusterLoad.Idle);

        Assert.True(result.ApprovalRequired);
        Assert.Equal(rules, Rules(result));
        Assert.All(result.Violations, violation => Assert.Contains("env=production", violation.Message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("env=staging,app=checkout", false)]
    [InlineData("env=production,app=checkout", true)]
    public void Once_targets_are_known_approval_depends_on_what_they_really_are(string targetLabels, bool required)
    {
        // The selector names ids only, so the spec stage can only say "may need approval".
        var policy = new BlastRadiusPolicy { ApprovalRequiredLabels = Labels("env=production") };
        var spec = Spec(Fault(Selector(labels: null, targets: "checkout-0")));
        var plan = Plan(spec, new RunRequest("alice"), [Pod("checkout-0", targetLabels)]);

        Assert.True(PolicyEvaluator.CheckSpec(spec, policy).ApprovalRequired);
        var result = PolicyEvaluator.CheckPlan(plan, policy, ClusterLoad.Idle);

        Assert.Equal(required, result.ApprovalRequired);
        Assert.Equal(required ? [PolicyRules.ApprovalRequired] : [], Rules(result));
    }

    [Fact]
    public void A_plan_rechecks_its_spec_because_the_policy_may_have_tightened_since_creation()
    {
        var plan = Plan(Spec(Fault(duration: TimeSpan.FromMinutes(10))), new RunRequest("alice"), [Pod("checkout-0")]);

        var result = PolicyEvaluator.CheckPlan(plan, new BlastRadiusPolicy { MaxFaultDuration = TimeSpan.FromMinutes(5) }, ClusterLoad.Idle);

        var violation = Assert.Single(result.Violations);
        Assert.Equal((PolicyRules.MaxDuration, Fault0 + ".duration"), (violation.Rule, violation.Path));
    }

    [Fact]
    public void Every_violation_of_a_plan_is_reported_at_once()
    {
        var policy = new BlastRadiusPolicy
        {
            ProtectedTargets = ["checkout-0"],
            MaxFaultDuration = TimeSpan.FromMinutes(5),
            MaxSharePercentOfService = 40,
            MaxConcurrentRuns = 1,
            ApprovalRequiredLabels = Labels("env=production"),
        };
        var load = Load(CheckoutOfTen, Running("team-a", [.. Pods("checkout", 5, 3, "production")]));
        var spec = Spec(Fault(Selector(labels: "env=production"), TimeSpan.FromMinutes(6)));
        var plan = Plan(spec, new RunRequest("alice", "alice", true), Pods("checkout", 0, 2, "production"));

        var result = PolicyEvaluator.CheckPlan(plan, policy, load);

        Assert.False(result.IsAllowed);
        Assert.True(result.ApprovalRequired);
        Assert.Equal(
            [PolicyRules.MaxDuration, PolicyRules.ProtectedTarget, PolicyRules.MaxServiceShare, PolicyRules.MaxConcurrentRuns, PolicyRules.SelfApproval],
            Rules(result));
    }
}
