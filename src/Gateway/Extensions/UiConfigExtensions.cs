namespace TenantAtlas.Gateway.Extensions;

public static class UiConfigExtensions
{
    /// <summary>
    /// What the Operations UI needs to know about its surroundings (public, no secrets): where the trace viewer is
    /// (<c>Gateway:TraceViewerUrl</c>, a dashboard that serves a trace at <c>/traces/detail/{traceId}</c>; the AppHost
    /// sets its Aspire dashboard).
    /// </summary>
    public static WebApplication MapUiConfig(this WebApplication app)
    {
        app.MapGet("/ui/config.json", (IConfiguration configuration) =>
            Results.Json(new { traceViewerUrl = configuration["Gateway:TraceViewerUrl"] ?? string.Empty })).AllowAnonymous();
        return app;
    }
}
