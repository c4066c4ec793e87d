using Grpc.Core;
using Grpc.Net.Client;
using TenantAtlas.Access.V1;
using TenantAtlas.ServiceDefaults;
using TenantAtlas.TokenIssuing;

namespace TenantAtlas.AppHost.Demo;

/// <summary>
/// A demo workspace so the suite is usable at once: an Owner and a Readonly user, and one tenant whose Graph data
/// the emulator serves. Idempotent: kept data from an earlier run is reused.
/// </summary>
public sealed class DemoData(TokenOptions tokens)
{
    public const string PlatformAdmin = "platform-admin";
    public const string Owner = "owner@contoso.test";
    public const string Reader = "reader@contoso.test";
    public const string EntraTenantId = "7c1a6c4e-2f3b-4a5d-9e8f-0a1b2c3d4e5f";
    public const string GraphClientId = "tenantatlas-dev-app";
    public const string GraphClientSecret = "dev-app-secret-not-for-production";

    /// <summary>Demo tokens outlive a working week of the AppHost running: the dashboard's sign-in links carry them.</summary>
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromDays(7);

    public string OwnerToken { get; } = DevTokens.Issue(tokens, Owner, "Olivia Owner", lifetime: TokenLifetime);

    public string ReaderToken { get; } = DevTokens.Issue(tokens, Reader, "Rafael Reader", lifetime: TokenLifetime);

    public string WorkspaceId { get; private set; } = string.Empty;

    public string TenantId { get; private set; } = string.Empty;

    public async Task EnsureAsync(string runsGrpcUrl, CancellationToken ct)
    {
        using var channel = GrpcChannel.ForAddress(runsGrpcUrl);
        var access = new AccessService.AccessServiceClient(channel);
        var asOwner = Bearer(OwnerToken);
        var mine = await access.ListMyWorkspacesAsync(new ListMyWorkspacesRequest(), asOwner, cancellationToken: ct);
        if (mine.Workspaces.FirstOrDefault() is { } existing)
        {
            WorkspaceId = existing.Workspace.WorkspaceId;
        }
        else
        {
            var created = await access.CreateWorkspaceAsync(new CreateWorkspaceRequest
            {
                Name = "Contoso (demo)", OwnerSubject = Owner, OwnerDisplayName = "Olivia Owner",
            }, Bearer(DevTokens.Issue(tokens, PlatformAdmin)), cancellationToken: ct);
            WorkspaceId = created.Workspace.WorkspaceId;
            await access.SetMemberAsync(new SetMemberRequest
            {
                WorkspaceId = WorkspaceId, Subject = Reader, DisplayName = "Rafael Reader", Role = Role.Readonly,
            }, asOwner, cancellationToken: ct);
        }
        var tenants = await access.ListTenantsAsync(new ListTenantsRequest { WorkspaceId = WorkspaceId }, asOwner, cancellationToken: ct);
        TenantId = tenants.Tenants.FirstOrDefault(t => t.EntraTenantId == EntraTenantId)?.TenantId
            ?? (await access.RegisterTenantAsync(new RegisterTenantRequest
            {
                WorkspaceId = WorkspaceId, EntraTenantId = EntraTenantId, DisplayName = "Contoso Intune (emulated)",
            }, asOwner, cancellationToken: ct)).Tenant.TenantId;
    }

    private static Metadata Bearer(string token) => new() { { "authorization", $"Bearer {token}" } };
}
