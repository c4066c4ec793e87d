namespace TenantAtlas.GraphEmulator.Graph;

/// <summary>
/// The emulator's own <c>/v1.0</c> pipeline (routing, <see cref="GraphRequestMiddleware"/>, the endpoints) as a
/// request delegate, so a <c>$batch</c> runs each sub-request through the very endpoints a direct request reaches.
/// Registered at startup by <c>UseGraphRequestPipeline</c>; built on the first batch, once every endpoint is mapped
/// (routing middleware built earlier would not see the endpoints mapped after it).
/// </summary>
public sealed class GraphSubRequestPipeline
{
    private Lazy<RequestDelegate>? _pipeline;

    public RequestDelegate Pipeline =>
        _pipeline?.Value ?? throw new InvalidOperationException("The Graph sub-request pipeline is not set up; call UseGraphRequestPipeline.");

    internal void SetUp(WebApplication app) => _pipeline = new Lazy<RequestDelegate>(() =>
    {
        var branch = ((IApplicationBuilder)app).New();
        branch.UseRouting();
        branch.UseMiddleware<GraphRequestMiddleware>();
        // A branch's routing starts with no endpoints: give it the app's own.
        branch.UseEndpoints(endpoints =>
        {
            foreach (var dataSource in ((IEndpointRouteBuilder)app).DataSources)
                endpoints.DataSources.Add(dataSource);
        });
        return branch.Build();
    });
}
