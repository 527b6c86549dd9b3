using System.Text.Json;
using Faultline.Api.Auth;
using Faultline.Api.Http;
using Faultline.Api.Problems;
using Faultline.Domain.Paging;
using Faultline.Storage.Experiments;

namespace Faultline.Api.Features.Experiments;

public static class ExperimentEndpoints
{
    private static readonly Lazy<string> Schema = new(() =>
    {
        using var stream = typeof(ExperimentEndpoints).Assembly.GetManifestResourceStream("experiment.v1.schema.json")
            ?? throw new InvalidOperationException("The experiment schema is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static RouteGroupBuilder MapExperimentEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/experiments").WithTags("Experiments").RequireAuthorization(Policies.Viewer).WithStandardProblems();

        group.MapGet("/", ListAsync).WithName("ListExperiments").WithSummary("List the experiments of the organization")
            .Produces<PageResponse<ExperimentResponse>>().ProducesListQueryProblems();
        group.MapGet("/schema", () => TypedResults.Text(Schema.Value, "application/schema+json"))
            .WithName("GetExperimentSchema").WithSummary("The JSON Schema of faultline.dev/v1 experiments")
            .Produces<JsonElement>(StatusCodes.Status200OK, "application/schema+json");
        group.MapGet("/{experimentId:guid}", GetAsync).WithName("GetExperiment").WithSummary("Get an experiment")
            .Produces<ExperimentResponse>().ProducesNotFound();
        group.MapPost("/", CreateAsync).WithName("CreateExperiment")
            .WithSummary("Create an experiment from YAML or JSON (faultline.dev/v1, or a Chaos Mesh manifest, shown with its translation)")
            .AcceptsDocument().WithIdempotency().RequireAuthorization(Policies.Operator)
            .Produces<ExperimentResponse>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status409Conflict)
            .Produces<HttpValidationProblemDetails>(StatusCodes.Status422UnprocessableEntity, ProblemWriter.ContentType);
        group.MapPost("/validate", ValidateAsync).WithName("ValidateExperiment")
            .WithSummary("Check an experiment document and show it normalized (and translated), without storing it")
            .AcceptsDocument()
            .Produces<ExperimentValidationResponse>();
        group.MapPut("/{experimentId:guid}", ReplaceAsync).WithName("ReplaceExperiment").WithSummary("Replace an experiment's document")
            .AcceptsDocument().WithConcurrency().RequireAuthorization(Policies.Operator)
            .Produces<ExperimentResponse>().ProducesNotFound().ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{experimentId:guid}", DeleteAsync).WithName("DeleteExperiment").WithSummary("Delete an experiment")
            .WithConcurrency().RequireAuthorization(Policies.Operator)
            .Produces(StatusCodes.Status204NoContent).ProducesNotFound();
        return api;
    }

    private static RouteHandlerBuilder AcceptsDocument(this RouteHandlerBuilder builder) =>
        builder.Accepts<string>(ExperimentBody.MediaTypes[0], ExperimentBody.MediaTypes[1..])
            .Produces<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, ProblemWriter.ContentType)
            .Produces<HttpValidationProblemDetails>(StatusCodes.Status422UnprocessableEntity, ProblemWriter.ContentType)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

    private static async Task<IResult> ListAsync(HttpContext context, ExperimentStore experiments, [AsParameters] PageQuery page, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var limit = page.EffectiveLimit;
        var result = await experiments.ListAsync(caller.OrganizationId, caller.TeamId, page.AfterGuid(), limit, cancellationToken);
        var next = result.HasMore ? PageCursor.Encode(result.Items[^1].Id) : null;
        return TypedResults.Ok(new PageResponse<ExperimentResponse>([.. result.Items.Select(r => ExperimentResponse.From(r))], next));
    }

    private static async Task<IResult> GetAsync(HttpContext context, Guid experimentId, ExperimentStore experiments, CancellationToken cancellationToken)
    {
        var experiment = await FindVisibleAsync(context, experimentId, experiments, cancellationToken);
        ETags.Set(context, experiment.Version);
        return TypedResults.Ok(ExperimentResponse.From(experiment));
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ExperimentBody body, ExperimentDocuments documents, ExperimentStore experiments, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var checkedExperiment = await documents.CheckAsync(body, caller, cancellationToken);
        var created = (await experiments.CreateAsync(caller.OrganizationId, checkedExperiment.Document, AuditContexts.ForRequest(context), cancellationToken))
            .Unwrap("Experiment", $"An experiment named '{checkedExperiment.Document.Name}' already exists.");
        ETags.Set(context, created.Version);
        return TypedResults.Created($"/api/v1/experiments/{created.Id}", ExperimentResponse.From(created, checkedExperiment));
    }

    private static async Task<IResult> ValidateAsync(HttpContext context, ExperimentBody body, ExperimentDocuments documents, CancellationToken cancellationToken)
    {
        var checkedExperiment = await documents.CheckAsync(body, context.GetCaller(), cancellationToken);
        using var spec = JsonDocument.Parse(checkedExperiment.Document.Spec);
        return TypedResults.Ok(new ExperimentValidationResponse(
            spec.RootElement.Clone(), checkedExperiment.Document.SourceFormat, checkedExperiment.Warnings, TranslationResponse.From(checkedExperiment.Translation)));
    }

    private static async Task<IResult> ReplaceAsync(
        HttpContext context, Guid experimentId, ExperimentBody body, ExperimentDocuments documents, ExperimentStore experiments, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        await FindVisibleAsync(context, experimentId, experiments, cancellationToken);
        var expected = ETags.RequireIfMatch(context);
        var checkedExperiment = await documents.CheckAsync(body, caller, cancellationToken);
        var updated = (await experiments.ReplaceAsync(caller.OrganizationId, experimentId, expected, checkedExperiment.Document, AuditContexts.ForRequest(context), cancellationToken))
            .Unwrap("Experiment", $"An experiment named '{checkedExperiment.Document.Name}' already exists.");
        ETags.Set(context, updated.Version);
        return TypedResults.Ok(ExperimentResponse.From(updated, checkedExperiment));
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, Guid experimentId, ExperimentStore experiments, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        await FindVisibleAsync(context, experimentId, experiments, cancellationToken);
        var expected = ETags.RequireIfMatch(context);
        (await experiments.DeleteAsync(caller.OrganizationId, experimentId, expected, AuditContexts.ForRequest(context), cancellationToken)).Unwrap("Experiment");
        return TypedResults.NoContent();
    }

    private static async Task<ExperimentRecord> FindVisibleAsync(HttpContext context, Guid experimentId, ExperimentStore experiments, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var experiment = await experiments.GetAsync(caller.OrganizationId, experimentId, cancellationToken);
        return experiment is not null && (caller.IsOrganizationWide || experiment.TeamId == caller.TeamId)
            ? experiment
            : throw ProblemException.NotFound("Experiment");
    }
}
