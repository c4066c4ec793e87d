using System.Text.Json;

namespace TenantAtlas.AppHost.Demo;

/// <summary>What a person needs once the suite is up, printed to the AppHost's console: where to go, tokens, a first command.</summary>
public static class DemoBanner
{
    public static void Print(DemoData demo, string gatewayUrl, string runsGrpcUrl, string? dashboardLoginUrl)
    {
        Console.WriteLine();
        Console.WriteLine("TenantAtlas is up.");
        if (dashboardLoginUrl is not null)
        {
            Console.WriteLine($"  Aspire dashboard : {dashboardLoginUrl}");
        }
        Console.WriteLine($"  Operations UI    : {gatewayUrl}/ (paste a token below, or use the links on the gateway in the dashboard)");
        Console.WriteLine($"  REST API         : {gatewayUrl}/openapi (OpenAPI document: {gatewayUrl}/openapi/v1.json)");
        Console.WriteLine($"  RunsService gRPC : {runsGrpcUrl}");
        Console.WriteLine($"Demo workspace {demo.WorkspaceId}, tenant {demo.TenantId} (Graph data from the emulator).");
        Console.WriteLine($"  export OWNER={demo.OwnerToken}");
        Console.WriteLine($"  export READER={demo.ReaderToken}");
        Console.WriteLine("Start an inventory sync through the gateway, then list the runs:");
        Console.WriteLine($"  curl -s -X POST -H \"Authorization: Bearer $OWNER\" -H \"Content-Type: application/json\" -d '{{}}' {gatewayUrl}/v1/tenants/{demo.TenantId}/inventory:sync");
        Console.WriteLine($"  curl -s -H \"Authorization: Bearer $OWNER\" {gatewayUrl}/v1/workspaces/{demo.WorkspaceId}/runs");
        Console.WriteLine("Ctrl-C stops everything.");
        // One machine-readable line for scripts and the end-to-end test.
        Console.WriteLine("READY " + JsonSerializer.Serialize(new
        {
            dashboard = dashboardLoginUrl is null ? null : new Uri(dashboardLoginUrl).GetLeftPart(UriPartial.Authority),
            dashboardLogin = dashboardLoginUrl,
            gatewayHttp = gatewayUrl,
            runsGrpc = runsGrpcUrl,
            entraTenantId = DemoData.EntraTenantId,
            workspaceId = demo.WorkspaceId,
            tenantId = demo.TenantId,
            ownerToken = demo.OwnerToken,
            readerToken = demo.ReaderToken,
        }));
    }
}
