namespace TenantAtlas.Gateway.Extensions;

public static class SecurityHeadersExtensions
{
    /// <summary>Headers every response of the one browser-facing origin carries.</summary>
    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
                "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            return next(context);
        });
        return app;
    }
}
