using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace TenantAtlas.Gateway.Extensions;

/// <summary>
/// The gateway's own failures (no token, unknown path, upstream down, rate limit) answered in the same JSON shape
/// as the services' gRPC-JSON transcoding errors: <c>{"code": &lt;grpc code&gt;, "message": "...", "details": []}</c>.
/// Upstream answers, which already carry that body, pass through untouched.
/// </summary>
public static class JsonErrorExtensions
{
    public static WebApplication UseJsonErrors(this WebApplication app)
    {
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            var status = http.Response.StatusCode;
            if (http.Features.Get<IForwarderErrorFeature>() is { Error: ForwarderError.RequestBodyClient or ForwarderError.RequestBodyCanceled } bodyError)
            {
                // The caller's body could not be read (over the size limit, or cut off): their mistake, not an unavailable service.
                var tooLarge = bodyError.Exception is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge };
                await WriteAsync(http, tooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest, tooLarge
                    ? $"The request body is larger than {http.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize} bytes."
                    : "The request body could not be read completely.", http.RequestAborted);
                return;
            }
            if (http.Features.Get<IForwarderErrorFeature>() is { } proxyError)
            {
                // The owning service did not answer: that is "unavailable", not a bad gateway of ours.
                await WriteAsync(http, StatusCodes.Status503ServiceUnavailable,
                    $"The service behind {http.Request.Path} is unavailable ({proxyError.Error}); retry shortly.", http.RequestAborted);
                return;
            }
            await WriteAsync(http, status, status switch
            {
                StatusCodes.Status401Unauthorized => "A valid bearer token is required (Authorization: Bearer <token>).",
                StatusCodes.Status403Forbidden => "Not allowed.",
                StatusCodes.Status404NotFound => $"Nothing is served at {http.Request.Path}.",
                StatusCodes.Status405MethodNotAllowed => $"{http.Request.Method} is not supported at {http.Request.Path}.",
                _ => $"The request failed with HTTP {status}.",
            }, http.RequestAborted);
        });
        return app;
    }

    public static async Task WriteAsync(HttpContext context, int status, string message, CancellationToken ct)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(context.Response.Body, new ErrorBody(GrpcCode(status), message, []), JsonOptions, ct);
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private sealed record ErrorBody(int Code, string Message, object[] Details);

    /// <summary>The gRPC status code for an HTTP status (the standard gRPC ↔ HTTP mapping).</summary>
    private static int GrpcCode(int status) => status switch
    {
        400 => 3,   // INVALID_ARGUMENT
        413 => 8,   // RESOURCE_EXHAUSTED
        401 => 16,  // UNAUTHENTICATED
        403 => 7,   // PERMISSION_DENIED
        404 => 5,   // NOT_FOUND
        409 => 6,   // ALREADY_EXISTS
        429 => 8,   // RESOURCE_EXHAUSTED
        503 or 502 => 14, // UNAVAILABLE
        504 => 4,   // DEADLINE_EXCEEDED
        _ => 2,     // UNKNOWN
    };
}
