namespace TenantAtlas.GraphEmulator.Graph;

/// <summary>
/// The emulator's own <c>/v1.0</c> pipeline (routing, <see cref="GraphRequestMiddleware"/>, the endpoints) as a
/// request delegate, so a <c>$batch</c> runs each sub-request through the very endpoints a direct request reaches.
/// Built once at startup by <c>UseGraphRequestPipeline</c>.
/// </summary>
public sealed class GraphSubRequestPipeline
{
    private RequestDelegate? _pipeline;

    public RequestDelegate Pipeline =>
        _pipeline ?? throw new InvalidOperationException("The Graph sub-request pipeline is not built; call UseGraphRequestPipeline.");

    internal void Build(IApplicationBuilder app)
    {
        var branch = app.New();
        branch.UseRouting();
        branch.UseMiddleware<GraphRequestMiddleware>();
        branch.UseEndpoints(_ => { });
        _pipeline = branch.Build();
    }
}
