using Faultline.Api.Problems;

namespace Faultline.Api.Http;

/// <summary>Declares the error answers of operations so the OpenAPI document lists them for client generators.</summary>
public static class EndpointConventions
{
    /// <summary>401, 403, 429 and 500 can come from any authenticated operation.</summary>
    public static RouteGroupBuilder WithStandardProblems(this RouteGroupBuilder group) =>
        group.ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status500InternalServerError);

    /// <summary>Body-taking operations: validation (400), media type (415) and size (413) problems.</summary>
    public static RouteHandlerBuilder AcceptsJson<TBody>(this RouteHandlerBuilder builder)
        where TBody : notnull =>
        builder.Accepts<TBody>("application/json")
            .AddEndpointFilter<ValidationFilter>()
            .Produces<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, ProblemWriter.ContentType)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

    /// <summary>Updates: the If-Match precondition answers.</summary>
    public static RouteHandlerBuilder WithConcurrency(this RouteHandlerBuilder builder) =>
        builder.ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired);

    /// <summary>POSTs that honour Idempotency-Key.</summary>
    public static RouteHandlerBuilder WithIdempotency(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter<IdempotencyFilter>()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithMetadata(new IdempotentEndpointMetadata());

    public static RouteHandlerBuilder ProducesNotFound(this RouteHandlerBuilder builder) =>
        builder.ProducesProblem(StatusCodes.Status404NotFound);

    /// <summary>A 400 with errors keyed by field, for operations whose route or query values are checked.</summary>
    public static RouteHandlerBuilder ProducesBadRequest(this RouteHandlerBuilder builder) =>
        builder.Produces<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, ProblemWriter.ContentType);

    public static RouteHandlerBuilder ProducesListQueryProblems(this RouteHandlerBuilder builder) =>
        builder.Produces<HttpValidationProblemDetails>(StatusCodes.Status400BadRequest, ProblemWriter.ContentType);
}

/// <summary>Marks operations that accept Idempotency-Key, for the OpenAPI document.</summary>
public sealed class IdempotentEndpointMetadata;
