using TenantAtlas.TenantGraph;

namespace TenantAtlas.RestoreService.Execution;

/// <summary>Asks the target tenant whether a notification template exists (a user's mapping choice must name one of its own).</summary>
public sealed class TargetTemplates(TenantGraphClients graph)
{
    public async Task<bool> HasNotificationTemplateAsync(string entraTenantId, string templateId, CancellationToken ct)
    {
        if (!Guid.TryParse(templateId, out var id))
        {
            return false;
        }
        var client = graph.For(entraTenantId);
        try
        {
            return await GraphJson.GetAsync(client, GraphJson.Url(client, $"/deviceManagement/notificationMessageTemplates/{id}"), ct) is not null;
        }
        catch (Exception e) when (GraphFailures.Of(e) is { ResponseStatusCode: 404 or 400 })
        {
            return false;
        }
    }
}
