using System.Text.Json.Serialization;

namespace TenantAtlas.GraphEmulator.Graph;

/// <summary>Graph's error envelope: <c>{"error":{"code":"...","message":"...","innerError":{...}}}</c>.</summary>
public sealed record GraphErrorResponse(GraphError Error);

public sealed record GraphError(string Code, string Message, GraphInnerError InnerError);

public sealed record GraphInnerError(
    DateTime Date,
    [property: JsonPropertyName("request-id")] string RequestId,
    [property: JsonPropertyName("client-request-id")] string ClientRequestId);

internal static class GraphErrors
{
    /// <summary>A Graph error response carrying the request's ids.</summary>
    public static IResult Result(HttpContext context, int statusCode, string code, string message)
    {
        var (requestId, clientRequestId) = context.GraphRequestIds();
        var now = DateTime.UtcNow;
        var error = new GraphError(
            code, message, new GraphInnerError(now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)), requestId, clientRequestId));
        return TypedResults.Json(new GraphErrorResponse(error), statusCode: statusCode);
    }

    /// <summary>A Graph error with the code Graph uses for the status.</summary>
    public static IResult Result(HttpContext context, int statusCode, string message) =>
        Result(context, statusCode, CodeFor(statusCode), message);

    public static string CodeFor(int statusCode) => statusCode switch
    {
        StatusCodes.Status400BadRequest => "BadRequest",
        StatusCodes.Status401Unauthorized => "InvalidAuthenticationToken",
        StatusCodes.Status403Forbidden => "Forbidden",
        StatusCodes.Status404NotFound => "ResourceNotFound",
        StatusCodes.Status409Conflict => "Conflict",
        StatusCodes.Status429TooManyRequests => "TooManyRequests",
        StatusCodes.Status500InternalServerError => "InternalServerError",
        StatusCodes.Status502BadGateway => "BadGateway",
        StatusCodes.Status503ServiceUnavailable => "ServiceUnavailable",
        StatusCodes.Status504GatewayTimeout => "GatewayTimeout",
        _ => "UnknownError",
    };
}
