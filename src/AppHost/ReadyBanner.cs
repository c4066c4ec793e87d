using System.Text.Json;
using TenantAtlas.AppHost.Hosting;
using TenantAtlas.AppHost.Seeding;

namespace TenantAtlas.AppHost;

/// <summary>What a person needs once the suite is up: the resource table, dev tokens, and a first command.</summary>
public static class ReadyBanner
{
    public static void Print(Suite suite, DemoData demo, ProjectResource gateway, ProjectResource runs, ProjectResource graph, string tracesUrl, string apiUrl)
    {
        Console.WriteLine();
        Console.WriteLine($"{"RESOURCE",-16} {"STATE",-9} {"PID",-8} URL");
        foreach (var resource in suite.Resources)
        {
            Console.WriteLine($"{resource.Name,-16} {resource.State,-9} {resource.ProcessId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",-8} {resource.DisplayUrl}");
        }
        Console.WriteLine();
        Console.WriteLine($"Demo workspace {demo.WorkspaceId}, tenant {demo.TenantId} (Graph data from the emulator).");
        Console.WriteLine($"Owner token    ({DemoData.Owner}):");
        Console.WriteLine($"  export OWNER={demo.OwnerToken}");
        Console.WriteLine($"Readonly token ({DemoData.Reader}):");
        Console.WriteLine($"  export READER={demo.ReaderToken}");
        Console.WriteLine($"Through the gateway ({gateway.Url("http")}), start an inventory sync, then list the runs:");
        Console.WriteLine($"  curl -s -X POST -H \"Authorization: Bearer $OWNER\" -H \"Content-Type: application/json\" -d '{{}}' {gateway.Url("http")}/v1/tenants/{demo.TenantId}/inventory:sync");
        Console.WriteLine($"  curl -s -H \"Authorization: Bearer $OWNER\" {gateway.Url("http")}/v1/workspaces/{demo.WorkspaceId}/runs");
        Console.WriteLine($"Traces: {tracesUrl}");
        Console.WriteLine("Ctrl-C stops everything.");
        // One machine-readable line for scripts and the smoke test.
        Console.WriteLine("READY " + JsonSerializer.Serialize(new
        {
            runsGrpc = runs.Url("grpc"),
            runsHttp = runs.Url("http"),
            gatewayHttp = gateway.Url("http"),
            graphEmulator = graph.Url("http"),
            entraTenantId = DemoData.EntraTenantId,
            traces = tracesUrl,
            tracesApi = apiUrl,
            workspaceId = demo.WorkspaceId,
            tenantId = demo.TenantId,
            ownerToken = demo.OwnerToken,
            readerToken = demo.ReaderToken,
            pids = suite.Resources.Where(r => r.ProcessId is not null).ToDictionary(r => r.Name, r => r.ProcessId),
        }));
    }
}
