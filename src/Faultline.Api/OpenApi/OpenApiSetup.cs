using Faultline.Api.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;

namespace Faultline.Api.OpenApi;

/// <summary>
/// The OpenAPI 3.1 document generated from the endpoints. It is committed as openapi/faultline.v1.json and
/// a test fails when the served document drifts from it, so the contract changes only on purpose.
/// </summary>
public static class OpenApiSetup
{
    public const string DocumentName = "v1";
    private const string BearerScheme = "bearer";
    private const string AgentTokenScheme = "agentToken";

    public static IServiceCollection AddFaultlineOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Faultline API",
                    Version = "v1",
                    Description = "Multi-tenant chaos engineering control plane. Authenticate with 'Authorization: Bearer <api key>'. " +
                        "Errors are RFC 9457 problem documents with a stable 'type'.",
                };

                // The served document must not depend on the address it was fetched from.
                document.Servers = [];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "flk_<lookup>_<secret>",
                    Description = "A Faultline API key.",
                };
                document.Components.SecuritySchemes[AgentTokenScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "fla_<lookup>_<secret>",
                    Description = "A Faultline agent token: opens the agent protocol (/api/v1/agent/…) and nothing else.",
                };
                return Task.CompletedTask;
            });

            // Protocol messages travel with AgentJson.Options, whose enums are kebab-case ("list-leftovers"); the
            // document must show the values on the wire, not those of the rest of the API.
            options.AddSchemaTransformer((schema, context, _) =>
            {
                var type = context.JsonTypeInfo.Type;
                if (type.IsEnum && IsProtocolType(type) && schema.Enum is { Count: > 0 })
                {
                    schema.Enum = Enum.GetNames(type).Select(name => (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create(
                        System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(name))).ToList();
                }

                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
                {
                    var scheme = metadata.OfType<IAuthorizeData>().Any(a => a.Policy == Auth.Policies.Agent) ? AgentTokenScheme : BearerScheme;
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement
                    {
                        [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [],
                    });
                }

                if (metadata.OfType<IdempotentEndpointMetadata>().Any())
                {
                    operation.Parameters ??= [];
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = IdempotencyFilter.Header,
                        In = ParameterLocation.Header,
                        Required = false,
                        Description = "Makes a retry of this POST safe: the first answer is replayed for 24 hours.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 255 },
                    });
                }

                var method = context.Description.HttpMethod;
                if (method is "PATCH" || (method is "DELETE" && context.Description.SupportedResponseTypes.Any(r => r.StatusCode == 428)))
                {
                    operation.Parameters ??= [];
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = "If-Match",
                        In = ParameterLocation.Header,
                        Required = true,
                        Description = "The ETag of the version this change is based on.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    });
                }

                return Task.CompletedTask;
            });
        });

    /// <summary>Types of the agent protocol (its messages and the SDK types they carry), serialized with AgentJson.Options.</summary>
    private static bool IsProtocolType(Type type) =>
        type.Namespace is { } ns && (ns.StartsWith("Faultline.Domain.Agents", StringComparison.Ordinal) || ns.StartsWith("Faultline.Sdk", StringComparison.Ordinal));
}
