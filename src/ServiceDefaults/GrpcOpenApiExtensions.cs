using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.OpenApi.Models;

namespace TenantAtlas.ServiceDefaults;

/// <summary>
/// A service's OpenAPI document of its REST surface: the google.api.http routes that JSON transcoding serves,
/// described by Microsoft.AspNetCore.Grpc.Swagger + Swashbuckle from the transcoding endpoints themselves, with the
/// proto comments (which Grpc.Tools writes into the contracts' XML documentation) as descriptions. Served
/// anonymously at <see cref="DocumentPath"/>; the gateway merges every service's document into the suite's one.
/// </summary>
public static class GrpcOpenApiExtensions
{
    /// <summary>Where a service serves its document; <paramref name="service"/> is its service-discovery name.</summary>
    public static string DocumentPath(string service) => $"/openapi/{service}.json";

    /// <param name="service">The service's service-discovery name (<c>runs</c>), which names its document.</param>
    /// <param name="contracts">The compiled contracts; their XML documentation file carries the proto comments.</param>
    public static TBuilder AddGrpcOpenApi<TBuilder>(this TBuilder builder, string service, Assembly contracts)
        where TBuilder : IHostApplicationBuilder
    {
        var xmlDocs = Path.ChangeExtension(contracts.Location, ".xml");
        if (!File.Exists(xmlDocs))
        {
            throw new InvalidOperationException(
                $"{xmlDocs} is missing: the contracts project must generate its documentation file (the OpenAPI descriptions).");
        }
        builder.Services.AddGrpcSwagger();
        builder.Services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc(service, new OpenApiInfo { Title = $"TenantAtlas {service}", Version = "v1" });
            // Message and field comments describe the schemas; rpc comments the operations, service comments the tags.
            options.IncludeXmlComments(xmlDocs);
            options.IncludeGrpcXmlComments(xmlDocs, includeControllerXmlComments: true);
        });
        // AddGrpcSwagger calls AddGrpc(), which brings grpc-dotnet's own binder back.
        builder.Services.UseRequestParsingBinder();
        return builder;
    }

    public static WebApplication MapGrpcOpenApi(this WebApplication app)
    {
        app.MapSwagger(DocumentPath("{documentName}")).AllowAnonymous();
        return app;
    }
}
