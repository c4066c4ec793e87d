using TenantAtlas.GraphEmulator.Tenants;

namespace TenantAtlas.GraphEmulator.Graph;

/// <summary>
/// Serves one page of a Graph collection: reads <c>$top</c>/<c>$skiptoken</c>, records the page request in the
/// request log, applies the tenant's one-time page fault, and answers the page with its next link.
/// </summary>
internal static class PagedCollection
{
    /// <summary>The page of <paramref name="items"/> the request asks for, each passed through <paramref name="render"/>.</summary>
    public static IResult Page<T>(
        HttpContext context, IReadOnlyList<T> items, string odataContext, int defaultPageSize, Func<T, T>? render = null)
    {
        var tenant = context.GraphTenant();
        if (ODataPaging.TryReadPage(context.Request, defaultPageSize, out var page) is { } error)
            return GraphErrors.Result(context, StatusCodes.Status400BadRequest, error);

        var collection = context.Request.Path.Value!.TrimEnd('/').Split('/')[^1];
        var pageNumber = (page.Offset / page.Size) + 1;
        tenant.Requests.RecordPageRead(collection, pageNumber);
        if (tenant.Faults.TakePageFailure(collection, pageNumber) is { } status)
            return GraphErrors.Result(context, status, $"Injected failure for page {pageNumber} of '{collection}'.");

        var slice = items.Skip(page.Offset).Take(page.Size);
        return TypedResults.Ok(new ODataPage<T>(
            odataContext,
            ODataPaging.NextLink(context.Request, page, items.Count),
            [.. render is null ? slice : slice.Select(render)]));
    }

    /// <summary>The <c>@odata.context</c> base, e.g. <c>http://localhost/v1.0/$metadata</c>.</summary>
    public static string MetadataRoot(HttpRequest request) => $"{request.ServiceRoot()}/v1.0/$metadata";
}
