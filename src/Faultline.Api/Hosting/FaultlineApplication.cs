using System.Text.Json;
using System.Text.Json.Serialization;
using Faultline.Api.Auth;
using Faultline.Api.Features.AgentTokens;
using Faultline.Api.Features.Agents;
using Faultline.Api.Features.ApiKeys;
using Faultline.Api.Features.Audit;
using Faultline.Api.Features.Cluster;
using Faultline.Api.Features.Experiments;
using Faultline.Api.Features.Halts;
using Faultline.Api.Features.Health;
using Faultline.Api.Features.Members;
using Faultline.Api.Features.Organizations;
using Faultline.Api.Features.Plugins;
using Faultline.Api.Features.BlastRadius;
using Faultline.Api.Features.Runs;
using Faultline.Api.Features.Secrets;
using Faultline.Api.Features.Teams;
using Faultline.Api.Http;
using Faultline.Api.Observability;
using Faultline.Api.OpenApi;
using Faultline.Api.Problems;
using Faultline.Engine.Agents;
using Faultline.Engine.Cluster;
using Faultline.Engine.Plugins;
using Faultline.Engine.Runs;
using Faultline.Storage.Cluster;
using Faultline.Storage.Policies;
using Faultline.Storage.Runs;
using Faultline.Storage.Secrets;
using Faultline.Observability;
using Faultline.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting;

namespace Faultline.Api.Hosting;

/// <summary>
/// Composes a control-plane node: services, middleware and endpoint groups. The executable and the tests
/// both start the server through here, so tests exercise exactly what runs in production.
/// </summary>
public static class FaultlineApplication
{
    public const string ApiPrefix = "/api/v1";

    /// <summary>Where the agent protocol lives; requests under it authenticate with agent tokens.</summary>
    public const string AgentProtocolPrefix = ApiPrefix + "/agent";

    private const string CredentialSelectorScheme = "Credential";

    public static WebApplication Build(FaultlineServerOptions options, string[]? args = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args ?? [],
            ApplicationName = "Faultline",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseUrls([.. options.Urls]);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
        });
        ConfigureLogging(builder.Logging, options);
        builder.Services.AddFaultlineServices(options);

        var app = builder.Build();

        // Plugins load at start, so a broken one is reported in the log and at /api/v1/plugins right away.
        _ = app.Services.GetRequiredService<PluginCatalog>();
        app.UseFaultlinePipeline();
        app.MapFaultlineEndpoints();
        return app;
    }

    public static IServiceCollection AddFaultlineServices(this IServiceCollection services, FaultlineServerOptions options)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ISecretProtector>(new AesGcmSecretProtector(options.SecretsKey ?? throw new MasterKeyException(MasterKeySource.MissingKeyMessage)));
        services.AddFaultlineStorage(options.ConnectionString);
        services.AddSingleton(options);
        services.AddSingleton(options.Plugins);
        services.AddSingleton<PluginCatalog>();
        services.AddSingleton<HostCapabilityRegistry>();
        services.AddSingleton<ExperimentDocuments>();
        services.AddFaultlineEngine(options);
        services.AddSingleton<RunEventHub>();
        services.ConfigureHttpJsonOptions(json => ConfigureJson(json.SerializerOptions));
        services.Configure<RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
        // The agent protocol authenticates agent tokens only, everything else API keys only: the default scheme picks
        // by path, and every policy names its scheme, so neither credential can ever open the other's endpoints.
        services.AddAuthentication(CredentialSelectorScheme)
            .AddPolicyScheme(CredentialSelectorScheme, null, selector => selector.ForwardDefaultSelector = context =>
                context.Request.Path.StartsWithSegments(AgentProtocolPrefix, StringComparison.OrdinalIgnoreCase)
                    ? AgentTokenAuthenticationHandler.SchemeName
                    : ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, AgentTokenAuthenticationHandler>(AgentTokenAuthenticationHandler.SchemeName, null);
        services.AddAuthorization(Policies.Register);
        services.AddFaultlineRateLimiting(options.RateLimit);
        services.AddProblemDetails();
        services.AddSingleton<ValidationFilter>();
        services.AddSingleton<IdempotencyFilter>();
        services.AddFaultlineOpenApi();
        services.AddFaultlineOpenTelemetry();
        services.AddPrometheusMetrics(metrics =>
        {
            metrics.Meters.Clear();
            foreach (var meter in FaultlineTelemetry.MeterNames)
            {
                metrics.Meters.Add(meter);
            }
        });
        return services;
    }

    private static IServiceCollection AddFaultlineEngine(this IServiceCollection services, FaultlineServerOptions options)
    {
        services.AddSingleton(options.Engine);
        services.AddSingleton(provider => new InjectorRouter(
            provider.GetRequiredService<PluginCatalog>(),
            options.Plugins.Timeouts,
            provider.GetRequiredService<ILogger<InjectorRouter>>(),
            provider.GetService<IAgentDirectory>(),
            provider.GetService<IAgentCommandBus>()));
        services.AddSingleton(provider => new TargetResolver(provider.GetRequiredService<PluginCatalog>(), provider.GetService<IAgentDirectory>()));
        services.AddSingleton<ProbeSampler>();
        services.AddSingleton<RunPlanner>();
        services.AddSingleton<ExperimentScheduler>();
        services.AddSingleton<ILeaseProvider, PostgresLeaseProvider>();
        services.AddSingleton(provider => new ClusterMembership(
            new PostgresMembershipTable(provider.GetRequiredService<NodeStore>()),
            new ClusterMembershipOptions { Address = EngineHostedService.AddressOf(provider, options), HeartbeatInterval = options.HeartbeatInterval },
            provider.GetRequiredService<ILogger<ClusterMembership>>()));
        services.AddSingleton(provider => new RunEngineServices(
            provider.GetRequiredService<ClusterMembership>().NodeId,
            options.Engine,
            provider.GetRequiredService<PluginCatalog>(),
            provider.GetRequiredService<ProbeSampler>(),
            provider.GetRequiredService<RunPlanner>(),
            provider.GetRequiredService<RunStore>(),
            provider.GetRequiredService<HaltStore>(),
            provider.GetRequiredService<Npgsql.NpgsqlDataSource>(),
            provider.GetRequiredService<ILeaseProvider>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILoggerFactory>(),
            provider.GetRequiredService<TargetActors>(),
            provider.GetRequiredService<InjectorRouter>(),
            provider.GetService<Storage.Agents.AgentStore>()));
        services.AddSingleton<TargetActors>();
        services.AddSingleton(options.Agents);
        services.AddSingleton<IAgentDirectory, PostgresAgentDirectory>();
        services.AddSingleton<IAgentCommandBus, PostgresAgentCommandBus>();
        services.AddSingleton<RunDispatcher>();
        services.AddSingleton<EngineNode>();
        services.AddHostedService<EngineHostedService>();
        return services;
    }

    /// <summary>Strict JSON: camelCase, enums as names, unknown fields refused, nulls only where a field is nullable.</summary>
    public static void ConfigureJson(JsonSerializerOptions json)
    {
        json.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        json.DictionaryKeyPolicy = null;
        json.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        json.RespectNullableAnnotations = true;
        json.NumberHandling = JsonNumberHandling.Strict;
        json.MaxDepth = 32;

        // {"role":"viewer","role":"owner"} must not be read as whichever came last.
        json.AllowDuplicateProperties = false;
        json.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
    }

    public static WebApplication UseFaultlinePipeline(this WebApplication app)
    {
        app.UseMiddleware<ProblemMiddleware>();
        app.UseSwaggerUI(ui =>
        {
            ui.RoutePrefix = "docs";
            ui.DocumentTitle = "Faultline API";
            ui.SwaggerEndpoint($"/openapi/{OpenApiSetup.DocumentName}.json", "Faultline API v1");
        });
        app.UseRouting();
        app.UseMiddleware<HttpActivityEnricher>();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }

    public static WebApplication MapFaultlineEndpoints(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous().DisableRateLimiting().ExcludeFromDescription();
        app.MapHealthEndpoints();
        app.MapPrometheusMetrics("/metrics").AllowAnonymous().DisableRateLimiting().ExcludeFromDescription();

        var api = app.MapGroup(ApiPrefix);
        api.MapOrganizationEndpoints()
            .MapTeamEndpoints()
            .MapMemberEndpoints()
            .MapApiKeyEndpoints()
            .MapAuditEndpoints()
            .MapPluginEndpoints()
            .MapExperimentEndpoints()
            .MapClusterEndpoints()
            .MapRunEndpoints()
            .MapHaltEndpoints()
            .MapPolicyEndpoints()
            .MapSecretEndpoints()
            .MapAgentTokenEndpoints()
            .MapAgentEndpoints()
            .MapAgentProtocolEndpoints();
        return app;
    }

    private static void ConfigureLogging(ILoggingBuilder logging, FaultlineServerOptions options)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(options.MinimumLogLevel);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        // Data protection is registered by authentication but unused: API keys are not cookies.
        logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        if (string.Equals(options.LogFormat, "text", StringComparison.OrdinalIgnoreCase))
        {
            logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss ";
            });
        }
        else
        {
            // Structured mode is for machines: keep one "Request finished" line per request, with its trace id.
            logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Information);
            logging.AddJsonConsole(console =>
            {
                console.IncludeScopes = true;
                console.UseUtcTimestamp = true;
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
        }
    }
}
