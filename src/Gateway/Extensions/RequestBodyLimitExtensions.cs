using Microsoft.AspNetCore.Http.Features;

namespace TenantAtlas.Gateway.Extensions;

public static class RequestBodyLimitExtensions
{
    /// <summary>
    /// A body declared (Content-Length) larger than Kestrel's limit (<c>Limits:MaxRequestBytes</c>) is refused with 413 before it
    /// is proxied. Kestrel enforces the limit only when the body is read, so without this the answer would depend on whether
    /// the service behind happened to read the body first (a GET's body it never reads).
    /// </summary>
    public static WebApplication UseRequestBodyLimit(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize is { } limit && context.Request.ContentLength > limit)
            {
                await JsonErrorExtensions.WriteAsync(context, StatusCodes.Status413PayloadTooLarge,
                    $"The request body is larger than {limit} bytes.", context.RequestAborted);
                return;
            }
            await next(context);
        });
        return app;
    }
}
