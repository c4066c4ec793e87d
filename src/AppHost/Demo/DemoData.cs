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

    /// <summary>The demo schedule's name: it backs the demo tenant up every two minutes, keeping the last five sets.</summary>
    public const string ScheduleName = "Demo: every two minutes";

    /// <summary>The demo schedule's id, once <see cref="EnsureScheduleAsync"/> ran.</summary>
    public string ScheduleId { get; private set; } = string.Empty;

    /// <summary>Creates the demo tenant's backup schedule unless it exists (so the dashboard shows a schedule firing).</summary>
    public async Task EnsureScheduleAsync(string backupGrpcUrl, CancellationToken ct)
    {
        using var channel = GrpcChannel.ForAddress(backupGrpcUrl);
        var backup = new Backup.V1.BackupService.BackupServiceClient(channel);
        var asOwner = Bearer(OwnerToken);
        var schedules = await backup.ListBackupSchedulesAsync(new Backup.V1.ListBackupSchedulesRequest { TenantId = TenantId }, asOwner, cancellationToken: ct);
        ScheduleId = schedules.Schedules.FirstOrDefault(s => s.DisplayName == ScheduleName)?.ScheduleId
            ?? (await backup.CreateBackupScheduleAsync(new Backup.V1.CreateBackupScheduleRequest
            {
                TenantId = TenantId,
                Definition = new Backup.V1.BackupScheduleDefinition
                {
                    DisplayName = ScheduleName, CronExpression = "*/2 * * * *", TimeZone = "UTC", Enabled = true,
                    Selection = new Backup.V1.PolicySelection { Families = { Inventory.V1.PolicyFamily.DeviceConfigurations, Inventory.V1.PolicyFamily.CompliancePolicies } },
                    Retention = new Backup.V1.Retention { KeepLast = 5 },
                },
            }, asOwner, cancellationToken: ct)).Schedule.ScheduleId;
    }

    private static Metadata Bearer(string token) => new() { { "authorization", $"Bearer {token}" } };
}
