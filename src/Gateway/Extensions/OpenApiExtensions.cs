using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Yarp.ReverseProxy;

namespace TenantAtlas.Gateway.Extensions;

/// <summary>
/// The suite's REST surface as one OpenAPI document at <see cref="DocumentPath"/>, browsable with Swagger UI at
/// <see cref="UiPath"/>. The document merges the paths and schemas of every routed service's own document
/// (<see cref="GrpcOpenApiExtensions"/>: generated from its transcoding endpoints and proto comments), fetched at
/// request time through service discovery and cached briefly. The services are the reverse proxy's clusters, so a
/// service added to the routing is documented without a change here.
/// </summary>
public static class OpenApiExtensions
{
    public const string UiPath = "/openapi";
    public const string DocumentPath = "/openapi/v1.json";
    public const string HttpClientName = "openapi";

    public static IHostApplicationBuilder AddSuiteOpenApi(this IHostApplicationBuilder builder)
    {
#pragma warning disable EXTEXP0001 // A person waits for the page: a service that is down is a quick 503, not the standard handler's retries.
        builder.Services.AddHttpClient(HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(5)).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.AddSingleton<SuiteOpenApiDocument>();
        return builder;
    }

    /// <summary>Swagger UI over the merged document (public, like the Operations UI; its own CSP, see SecurityHeadersExtensions).</summary>
    public static WebApplication UseOpenApiUi(this WebApplication app)
    {
        app.UseSwaggerUI(ui =>
        {
            ui.RoutePrefix = UiPath.TrimStart('/');
            ui.DocumentTitle = "TenantAtlas Operations API";
            ui.SwaggerEndpoint(DocumentPath, "TenantAtlas Operations");
        });
        return app;
    }

    public static WebApplication MapOpenApiDocument(this WebApplication app)
    {
        app.MapGet(DocumentPath, async (SuiteOpenApiDocument document, HttpContext context) =>
        {
            var result = await document.GetAsync(context.RequestAborted);
            if (result.Json is null)
            {
                await JsonErrorExtensions.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
                    $"The API description of {result.UnavailableService} is unavailable; retry shortly.", context.RequestAborted);
                return;
            }
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(result.Json, context.RequestAborted);
        }).AllowAnonymous();
        return app;
    }
}

/// <summary>The merged document, or the first service whose own document could not be had.</summary>
internal sealed record SuiteOpenApiResult(string? Json, string? UnavailableService);

/// <summary>Fetches every routed service's document, merges them, and keeps the merge for a short while.</summary>
internal sealed partial class SuiteOpenApiDocument(IHttpClientFactory clients, IProxyStateLookup proxy, ILogger<SuiteOpenApiDocument> logger)
{
    /// <summary>A redeployed service's routes show within half a minute; page loads meanwhile fetch nothing.</summary>
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    private const string BearerScheme = "bearer";

    private sealed record Cached(string Json, long Timestamp);

    private volatile Cached? cached;

    public async Task<SuiteOpenApiResult> GetAsync(CancellationToken ct)
    {
        if (cached is { } hit && Stopwatch.GetElapsedTime(hit.Timestamp) < CacheFor)
        {
            return new SuiteOpenApiResult(hit.Json, null);
        }
        // A service may back several clusters (RunsService: its watch streams have one of their own).
        var services = proxy.GetClusters()
            .Select(cluster => (Service: GatewayRoutingExtensions.ServiceOf(cluster.ClusterId), Address: cluster.Model.Config.Destinations!.Values.First().Address))
            .DistinctBy(s => s.Service)
            .OrderBy(s => s.Service, StringComparer.Ordinal)
            .ToList();
        var documents = await Task.WhenAll(services.Select(s => FetchAsync(s.Service, s.Address, ct)));
        if (services.Zip(documents).FirstOrDefault(pair => pair.Second is null) is { First.Service: { } down })
        {
            return new SuiteOpenApiResult(null, down);
        }
        var json = Merge(documents!).ToJsonString();
        cached = new Cached(json, Stopwatch.GetTimestamp());
        return new SuiteOpenApiResult(json, null);
    }

    private async Task<JsonObject?> FetchAsync(string service, string address, CancellationToken ct)
    {
        var url = new Uri(new Uri(address), GrpcOpenApiExtensions.DocumentPath(service));
        try
        {
            using var response = await clients.CreateClient(OpenApiExtensions.HttpClientName).GetAsync(url, ct);
            response.EnsureSuccessStatusCode();
            return JsonNode.Parse(await response.Content.ReadAsStringAsync(ct)) as JsonObject
                ?? throw new JsonException("The document is not a JSON object.");
        }
        catch (Exception e) when (e is HttpRequestException or JsonException
            || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            LogServiceDocumentUnavailable(logger, service, url, e);
            return null;
        }
    }

    /// <summary>
    /// Paths and tags side by side (a path documented twice would be routed to one service only: a contract bug);
    /// schemas by name, where the same name must mean the same schema (shared messages, e.g. Run).
    /// </summary>
    private static JsonObject Merge(JsonObject[] documents)
    {
        var paths = new JsonObject();
        var schemas = new JsonObject();
        var tags = new JsonArray();
        foreach (var document in documents)
        {
            foreach (var (path, item) in document["paths"]?.AsObject() ?? new JsonObject())
            {
                if (!paths.TryAdd(path, item?.DeepClone()))
                {
                    throw new InvalidOperationException($"Two services document {path}.");
                }
            }
            foreach (var (name, schema) in document["components"]?["schemas"]?.AsObject() ?? new JsonObject())
            {
                if (schemas[name] is { } known && !JsonNode.DeepEquals(known, schema))
                {
                    throw new InvalidOperationException($"Two services document different schemas named {name}.");
                }
                schemas[name] = schema?.DeepClone();
            }
            foreach (var tag in document["tags"]?.AsArray() ?? new JsonArray())
            {
                tags.Add(tag?.DeepClone());
            }
        }
        return new JsonObject
        {
            ["openapi"] = documents[0]["openapi"]?.DeepClone(),
            ["info"] = new JsonObject
            {
                ["title"] = "TenantAtlas Operations",
                ["version"] = "v1",
                ["description"] = "The REST surface of the suite's services (gRPC JSON transcoding), through the gateway. " +
                    "Errors answer `{\"code\", \"message\", \"details\"}`, code being the gRPC status code.",
            },
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["schemas"] = schemas,
                ["securitySchemes"] = new JsonObject
                {
                    [BearerScheme] = new JsonObject
                    {
                        ["type"] = "http",
                        ["scheme"] = "bearer",
                        ["bearerFormat"] = "JWT",
                        ["description"] = "Every route needs a bearer JWT (README.md, Tokens); each service decides access.",
                    },
                },
            },
            ["security"] = new JsonArray(new JsonObject { [BearerScheme] = new JsonArray() }),
            ["tags"] = tags,
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The OpenAPI document of {Service} at {Url} is unavailable")]
    private static partial void LogServiceDocumentUnavailable(ILogger logger, string service, Uri url, Exception exception);
}
