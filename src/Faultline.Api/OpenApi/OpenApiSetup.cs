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
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement
                    {
                        [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [],
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
}
