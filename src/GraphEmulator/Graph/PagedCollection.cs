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
        HttpContext context, IReadOnlyList<T> items, string odataContext, int defaultPageSize, Func<T, T>? render = null) =>
        PageAs(context, items, odataContext, defaultPageSize, render ?? (item => item));

    /// <summary>The page of <paramref name="items"/> the request asks for, each rendered as <typeparamref name="TOut"/> (e.g. a <c>$select</c> projection).</summary>
    public static IResult PageAs<T, TOut>(
        HttpContext context, IReadOnlyList<T> items, string odataContext, int defaultPageSize, Func<T, TOut> render)
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
        return TypedResults.Ok(new ODataPage<TOut>(
            odataContext,
            ODataPaging.NextLink(context.Request, page, items.Count),
            [.. slice.Select(render)]));
    }

    /// <summary>The <c>@odata.context</c> base, e.g. <c>http://localhost/v1.0/$metadata</c>.</summary>
    public static string MetadataRoot(HttpRequest request) => $"{request.ServiceRoot()}/v1.0/$metadata";
}
