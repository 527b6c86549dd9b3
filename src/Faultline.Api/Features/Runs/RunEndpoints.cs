using System.Globalization;
using System.Text;
using System.Text.Json;
using Faultline.Api.Auth;
using Faultline.Api.Http;
using Faultline.Api.Problems;
using Faultline.Domain.Paging;
using Faultline.Domain.Policies;
using Faultline.Domain.Tenancy;
using Faultline.Engine.Runs;
using Faultline.Storage.Experiments;
using Faultline.Storage.Policies;
using Faultline.Storage.Runs;
using Faultline.Storage.Tenancy;
using Microsoft.Extensions.Options;

namespace Faultline.Api.Features.Runs;

public static class RunEndpoints
{
    private static readonly string[] RunStates =
        ["pending", "checking-steady-state", "injecting", "observing", "rolling-back", "verifying-recovery", "completed"];

    public static RouteGroupBuilder MapRunEndpoints(this RouteGroupBuilder api)
    {
        var experiments = api.MapGroup("/experiments").WithTags("Runs").RequireAuthorization(Policies.Viewer).WithStandardProblems();
        experiments.MapPost("/{experimentId:guid}/runs", StartAsync).WithName("StartRun")
            .WithSummary("Start a run of an experiment (refused, naming the rule, if a policy or a halt forbids it)")
            .WithIdempotency().RequireAuthorization(Policies.Operator)
            .Produces<RunResponse>(StatusCodes.Status202Accepted).ProducesNotFound().ProducesBadRequest()
            .Produces<HttpValidationProblemDetails>(StatusCodes.Status422UnprocessableEntity, ProblemWriter.ContentType)
            .ProducesProblem(StatusCodes.Status409Conflict);
        experiments.MapPost("/{experimentId:guid}/dry-run", DryRunAsync).WithName("DryRunExperiment")
            .WithSummary("Resolve targets, check policies, halts and probes, and return the plan; injects nothing")
            .RequireAuthorization(Policies.Operator)
            .Produces<DryRunResponse>().ProducesNotFound().ProducesBadRequest();

        var runs = api.MapGroup("/runs").WithTags("Runs").RequireAuthorization(Policies.Viewer).WithStandardProblems();
        runs.MapGet("/", ListAsync).WithName("ListRuns").WithSummary("List runs, newest first")
            .Produces<PageResponse<RunResponse>>().ProducesListQueryProblems();
        runs.MapGet("/{runId:guid}", GetAsync).WithName("GetRun").WithSummary("Get a run with its verdict and, per target, the faults and the proof of their removal")
            .Produces<RunResponse>().ProducesNotFound();
        runs.MapGet("/{runId:guid}/events", EventsAsync).WithName("GetRunEvents")
            .WithSummary("The run's timeline: Server-Sent Events (Accept: text/event-stream, resumable with Last-Event-ID) or a JSON page")
            .Produces<IReadOnlyList<RunEventResponse>>()
            .Produces<string>(StatusCodes.Status200OK, "text/event-stream")
            .ProducesNotFound();
        runs.MapPost("/{runId:guid}/abort", AbortAsync).WithName("AbortRun").WithSummary("Abort a run: its faults are rolled back and it closes as aborted")
            .AcceptsJson<AbortRunRequest>().RequireAuthorization(Policies.Operator)
            .Produces<RunResponse>(StatusCodes.Status202Accepted).ProducesNotFound().ProducesProblem(StatusCodes.Status409Conflict);
        runs.MapPost("/{runId:guid}/approve", ApproveAsync).WithName("ApproveRun")
            .WithSummary("Approve a run held for approval (an approver key of another person than the requester)")
            .RequireAuthorization(Policies.Operator)
            .Produces<RunResponse>().ProducesNotFound().ProducesBadRequest().ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    private static async Task<IResult> StartAsync(
        HttpContext context, Guid experimentId, ExperimentStore experiments, TeamStore teams, RunPlanner planner, RunStore runs, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var experiment = await FindExperimentAsync(caller, experimentId, experiments, cancellationToken);
        var spec = RunActor.ReadSpec(experiment.Spec);
        var teamName = await TeamNameAsync(caller, experiment.TeamId, teams, cancellationToken);
        var plan = await planner.PlanAsync(spec, caller.OrganizationId, experiment.TeamId, teamName ?? "", new RunRequest(caller.KeyName), null, Random.Shared, cancellationToken);
        ThrowIfRefused(plan);

        var approvalRequired = plan.Policy.Violations.Any(violation => violation.Rule == PolicyRules.ApprovalRequired);
        var (run, refusal) = await runs.CreateAsync(
            new NewRun(caller.OrganizationId, experiment.TeamId, teamName, experiment.Id, experiment.Name, experiment.Spec, "manual", caller.KeyName, caller.KeyId, approvalRequired),
            forbidOverlap: false,
            AuditContexts.ForRequest(context),
            cancellationToken);
        if (refusal?.Halt is { } halt)
        {
            throw Halted(halt);
        }

        return TypedResults.Accepted($"/api/v1/runs/{run!.Id}", RunResponse.From(run));
    }

    private static async Task<IResult> DryRunAsync(
        HttpContext context, Guid experimentId, ExperimentStore experiments, TeamStore teams, RunPlanner planner, HaltStore halts, ProbeSampler sampler,
        CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var experiment = await FindExperimentAsync(caller, experimentId, experiments, cancellationToken);
        var spec = RunActor.ReadSpec(experiment.Spec);
        var teamName = await TeamNameAsync(caller, experiment.TeamId, teams, cancellationToken);
        var plan = await planner.PlanAsync(spec, caller.OrganizationId, experiment.TeamId, teamName ?? "", new RunRequest(caller.KeyName), null, Random.Shared, cancellationToken);
        var halt = await halts.FindCoveringAsync(caller.OrganizationId, experiment.TeamId, cancellationToken);

        // The dry run samples like the run would: with the experiment's team's secrets, masked in every detail.
        var secrets = new SecretScope(caller.OrganizationId, experiment.TeamId);
        var probes = new List<ProbeSampleResponse>();
        foreach (var probe in spec.SteadyState)
        {
            var reading = await sampler.SampleAsync(probe, secrets, ProbePhases.Baseline, null, cancellationToken);
            var held = reading.Held || (probe.Tolerance.IsRelative && reading.Value is not null);
            probes.Add(new ProbeSampleResponse(reading.Name, reading.Phase, reading.Value, held, reading.Detail));
        }

        foreach (var guardrail in spec.Guardrails)
        {
            var reading = await sampler.SampleAsync(guardrail, secrets, ProbePhases.Baseline, null, cancellationToken);
            var held = reading.Held || (guardrail.Tolerance.IsRelative && reading.Value is not null);
            probes.Add(new ProbeSampleResponse(reading.Name, "guardrail", reading.Value, held, reading.Detail));
        }

        var planJson = JsonSerializer.SerializeToElement(RunActor.PlanData(plan), JsonSerializerOptions.Web);
        return TypedResults.Ok(new DryRunResponse(
            plan.IsRunnable && halt is null && probes.All(p => p.Held),
            plan.Policy.ApprovalRequired,
            halt is null ? null : new HaltSummary(halt.Id, halt.Scope, halt.Reason, halt.CreatedBy),
            planJson,
            probes));
    }

    private static async Task<IResult> ListAsync(
        HttpContext context, RunStore runs, [AsParameters] PageQuery page, Guid? experimentId, string? state, CancellationToken cancellationToken)
    {
        if (state is not null && !RunStates.Contains(state, StringComparer.Ordinal))
        {
            throw ProblemException.Validation("state", $"must be one of: {string.Join(", ", RunStates)}.");
        }

        var caller = context.GetCaller();
        var limit = page.EffectiveLimit;
        var result = await runs.ListAsync(caller.OrganizationId, caller.TeamId, experimentId, state, page.AfterGuid(), limit, cancellationToken);
        var next = result.HasMore ? PageCursor.Encode(result.Items[^1].Id) : null;
        return TypedResults.Ok(new PageResponse<RunResponse>([.. result.Items.Select(run => RunResponse.From(run))], next));
    }

    private static async Task<IResult> GetAsync(HttpContext context, Guid runId, RunStore runs, CancellationToken cancellationToken)
    {
        var run = await FindRunAsync(context.GetCaller(), runId, runs, cancellationToken);
        return TypedResults.Ok(RunResponse.From(run, await runs.ListFaultsAsync(runId, cancellationToken)));
    }

    private static async Task EventsAsync(HttpContext context, Guid runId, long? after, RunStore runs, RunEventHub hub, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        await FindRunAsync(caller, runId, runs, cancellationToken);
        var lastId = after ?? 0;
        if (context.Request.Headers["Last-Event-ID"].FirstOrDefault() is { } header)
        {
            if (!long.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out lastId))
            {
                throw ProblemException.Validation("Last-Event-ID", "must be the id of an event this stream sent (a whole number).");
            }
        }

        var wantsStream = context.Request.Headers.Accept.Any(accept => accept?.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase) == true);
        if (!wantsStream)
        {
            var events = await runs.ReadEventsAsync(runId, lastId, 1000, cancellationToken);
            await TypedResults.Ok(events.Select(RunEventResponse.From).ToList()).ExecuteAsync(context);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        await context.Response.Body.FlushAsync(cancellationToken);
        var json = context.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var finished = (await runs.GetAsync(runId, cancellationToken))?.IsFinished ?? true;
                var events = await runs.ReadEventsAsync(runId, lastId, 500, cancellationToken);
                foreach (var record in events)
                {
                    var payload = JsonSerializer.Serialize(RunEventResponse.From(record), json);
                    await context.Response.WriteAsync($"id: {record.Id.ToString(CultureInfo.InvariantCulture)}\nevent: {record.Type}\ndata: {payload}\n\n", Encoding.UTF8, cancellationToken);
                    lastId = record.Id;
                }

                await context.Response.Body.FlushAsync(cancellationToken);

                // The verdict is the last event of a run: once the run was finished before this read and the
                // read came back short, everything has been sent.
                if (finished && events.Count < 500)
                {
                    return;
                }

                if (events.Count == 0)
                {
                    await hub.WaitAsync(runId, TimeSpan.FromSeconds(1), cancellationToken);
                    await context.Response.WriteAsync(": keep-alive\n\n", cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    private static async Task<IResult> AbortAsync(HttpContext context, Guid runId, AbortRunRequest request, RunStore runs, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        await FindRunAsync(caller, runId, runs, cancellationToken);
        var reason = string.IsNullOrWhiteSpace(request.Reason) ? $"aborted by {caller.KeyName}" : $"aborted by {caller.KeyName}: {request.Reason.Trim()}";
        if (reason.Length > 1000)
        {
            throw ProblemException.Validation("$.reason", "must be at most 900 characters.");
        }

        var run = (await runs.RequestAbortAsync(caller.OrganizationId, runId, "user", reason, AuditContexts.ForRequest(context), cancellationToken))
            .Unwrap("Run", "The run has already finished.");
        return TypedResults.Accepted($"/api/v1/runs/{runId}", RunResponse.From(run));
    }

    private static async Task<IResult> ApproveAsync(HttpContext context, Guid runId, RunStore runs, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var run = await FindRunAsync(caller, runId, runs, cancellationToken);
        if (!caller.IsApprover)
        {
            throw ProblemException.Forbidden("Only an API key with the approver role can approve runs.");
        }

        if (string.Equals(caller.KeyName, run.RequestedBy, StringComparison.OrdinalIgnoreCase))
        {
            throw ProblemException.Forbidden($"'{caller.KeyName}' requested this run and cannot also approve it: approval needs a second person.");
        }

        var approved = (await runs.ApproveAsync(caller.OrganizationId, runId, caller.KeyName, AuditContexts.ForRequest(context), cancellationToken))
            .Unwrap("Run", "The run is not waiting for approval.");
        return TypedResults.Ok(RunResponse.From(approved));
    }

    private static void ThrowIfRefused(ExecutionPlan plan)
    {
        if (plan.Problems.Count > 0)
        {
            var errors = plan.Problems.GroupBy(problem => problem.Path).ToDictionary(group => group.Key, group => group.Select(problem => problem.Message).ToArray());
            throw new ProblemException(StatusCodes.Status422UnprocessableEntity, ProblemTypes.Validation, "The experiment cannot run",
                "Nothing was injected. See errors for each offending field.", errors);
        }

        var blocking = plan.Policy.Violations.Where(violation => violation.Rule != PolicyRules.ApprovalRequired).ToList();
        if (blocking.Count > 0)
        {
            var errors = blocking.GroupBy(violation => violation.Path ?? $"policy.{violation.Rule}")
                .ToDictionary(group => group.Key, group => group.Select(violation => $"[{violation.Rule}] {violation.Message}").ToArray());
            throw new ProblemException(StatusCodes.Status422UnprocessableEntity, ProblemTypes.PolicyViolation, "Refused by the team's blast-radius policy",
                $"Nothing was injected. Broken rule(s): {string.Join(", ", blocking.Select(violation => violation.Rule).Distinct())}.", errors);
        }
    }

    private static ProblemException Halted(HaltRecord halt) =>
        new(StatusCodes.Status409Conflict, ProblemTypes.Halted, "Runs are halted",
            $"New runs are refused while {halt.Describe()} engaged by {halt.CreatedBy} is active (halt {halt.Id}); release it first.");

    private static async Task<ExperimentRecord> FindExperimentAsync(Caller caller, Guid experimentId, ExperimentStore experiments, CancellationToken cancellationToken)
    {
        var experiment = await experiments.GetAsync(caller.OrganizationId, experimentId, cancellationToken);
        return experiment is not null && (caller.IsOrganizationWide || experiment.TeamId == caller.TeamId)
            ? experiment
            : throw ProblemException.NotFound("Experiment");
    }

    private static async Task<string?> TeamNameAsync(Caller caller, Guid? teamId, TeamStore teams, CancellationToken cancellationToken) =>
        teamId is { } id ? (await teams.GetAsync(caller.OrganizationId, id, cancellationToken))?.Name : null;

    private static async Task<RunRecord> FindRunAsync(Caller caller, Guid runId, RunStore runs, CancellationToken cancellationToken)
    {
        var run = await runs.GetAsync(caller.OrganizationId, runId, cancellationToken);
        return run is not null && (caller.IsOrganizationWide || run.TeamId == caller.TeamId)
            ? run
            : throw ProblemException.NotFound("Run");
    }
}
