using TenantAtlas.Workers;

namespace TenantAtlas.BackupService.Capture;

/// <summary><c>backup_set.add_policies</c>: captures the selection AddPolicies chose into the set it named.</summary>
public sealed class AddPoliciesHandler(PolicyCapture capture) : IRunHandler
{
    public const string Type = Contracts.RunTypes.BackupSetAddPolicies;

    public Task HandleAsync(RunWorkContext run, CancellationToken cancellationToken)
    {
        var tenantId = run.TenantId ?? throw new RunFailureException("backup.no_tenant", $"{Type} needs a tenant.");
        var context = CaptureContext.From(run.Context)
            ?? throw new RunFailureException("backup.bad_context", "The run's context names no backup set or Entra tenant; add the policies again.");
        return capture.RunAsync(run, tenantId, context, cancellationToken);
    }
}
