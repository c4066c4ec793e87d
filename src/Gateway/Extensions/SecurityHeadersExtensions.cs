namespace TenantAtlas.Gateway.Extensions;

public static class SecurityHeadersExtensions
{
    private const string StrictPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

    /// <summary>
    /// Swagger UI's bundle applies inline styles as it renders (swagger-api/swagger-ui#10655), so its pages may have
    /// them; everything else is as strict (scripts are still this origin's files only, and the UI renders no user input).
    /// </summary>
    private const string ApiReferencePolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

    /// <summary>Headers every response of the one browser-facing origin carries.</summary>
    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(OpenApiExtensions.UiPath, StringComparison.OrdinalIgnoreCase)
                ? ApiReferencePolicy
                : StrictPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            return next(context);
        });
        return app;
    }
}
