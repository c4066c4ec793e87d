namespace TenantAtlas.GraphEmulator.Graph;

/// <summary>
/// A Graph request that changes a tenant: any POST, PATCH, PUT or DELETE except the POSTs that only read
/// (<c>directoryObjects/getByIds</c>) and the <c>$batch</c> envelope (its sub-requests are judged each on its own,
/// as Intune counts them). Writes count against the tenant's write budget and are listed in its request log.
/// </summary>
/// <param name="Collection">The collection written, e.g. <c>deviceConfigurations</c> (for paths outside
/// <c>deviceManagement</c>, the first segment after <c>/v1.0</c>).</param>
/// <param name="PolicyId">The item the path names, if any (a create learns its id only when it commits).</param>
/// <param name="Operation"><c>create</c>, <c>update</c>, <c>delete</c>, <c>assign</c>, <c>scheduleActionsForRules</c>,
/// or the method in lower case for other paths.</param>
internal sealed record GraphWriteRequest(string Method, string Collection, string? PolicyId, string Operation)
{
    public static GraphWriteRequest? From(HttpRequest request)
    {
        var method = request.Method.ToUpperInvariant();
        if (method is not ("POST" or "PATCH" or "PUT" or "DELETE"))
            return null;
        var segments = (request.Path.Value ?? "").Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        // segments[0] is "v1.0".
        if (segments.Length < 2)
            return null;
        if (method == "POST" && (segments[1].Equals("$batch", StringComparison.OrdinalIgnoreCase)
            || (segments.Length == 3 && segments[1].Equals("directoryObjects", StringComparison.OrdinalIgnoreCase)
                && segments[2].Equals("getByIds", StringComparison.OrdinalIgnoreCase))))
            return null;

        var rest = segments[1].Equals("deviceManagement", StringComparison.OrdinalIgnoreCase) ? segments[2..] : segments[1..];
        if (rest.Length == 0)
            return new GraphWriteRequest(method, segments[1], null, method.ToLowerInvariant());
        var id = rest.Length > 1 ? rest[1] : null;
        var operation = (method, rest.Length) switch
        {
            ("POST", 1) => "create",
            ("PATCH", 2) => "update",
            ("DELETE", 2) => "delete",
            ("POST", 3) => rest[2],
            _ => method.ToLowerInvariant(),
        };
        return new GraphWriteRequest(method, rest[0], id, operation);
    }
}
