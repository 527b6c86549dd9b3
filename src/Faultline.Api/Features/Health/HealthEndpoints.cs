using Faultline.Storage.Migrations;
using Npgsql;

namespace Faultline.Api.Features.Health;

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Health").AllowAnonymous().DisableRateLimiting();
        group.MapGet("/healthz", () => TypedResults.Ok(new HealthResponse("ok", null)))
            .WithName("Healthz").WithSummary("Liveness: the process is up").Produces<HealthResponse>();
        group.MapGet("/readyz", ReadyAsync)
            .WithName("Readyz").WithSummary("Readiness: the database answers and the schema is current")
            .Produces<HealthResponse>().Produces<HealthResponse>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<IResult> ReadyAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            var version = await MigrationRunner.CurrentVersionAsync(dataSource, timeout.Token);
            return version >= MigrationRunner.LatestVersion
                ? TypedResults.Ok(new HealthResponse("ready", $"schema version {version}"))
                : TypedResults.Json(new HealthResponse("not-ready", $"schema version {version}, expected {MigrationRunner.LatestVersion}: migrations not applied"), statusCode: 503);
        }
        catch (Exception exception) when (exception is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            return TypedResults.Json(new HealthResponse("not-ready", "database unreachable"), statusCode: 503);
        }
    }
}

public sealed record HealthResponse(string Status, string? Detail);
