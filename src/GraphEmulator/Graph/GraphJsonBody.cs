using System.Text.Json;

namespace TenantAtlas.GraphEmulator.Graph;

/// <summary>Reads a write's JSON body as a detached element; null when it is not JSON (the caller answers 400).</summary>
internal static class GraphJsonBody
{
    public static async Task<JsonElement?> ReadAsync(HttpContext context)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static IResult Invalid(HttpContext context) =>
        GraphErrors.Result(context, StatusCodes.Status400BadRequest, "Unable to read JSON request payload: the body is not valid JSON.");
}
