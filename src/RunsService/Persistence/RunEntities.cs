using TenantAtlas.RunsService.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TenantAtlas.RunsService.Persistence;

/// <summary>
/// The <c>operation_runs</c> table. Mapped for the schema (migrations); rows are written and read by
/// <c>Runs/RunStore</c> in SQL. Column names are explicit because index filters are raw SQL.
/// </summary>
public sealed class OperationRunEntity
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public Guid? TenantId { get; set; }
    public required string Type { get; set; }
    public required string Status { get; set; }
    public required string Outcome { get; set; }
    public required string IdentityPolicy { get; set; }
    public required string RunIdentityHash { get; set; }
    public required string IdentityInputs { get; set; }
    public string? InitiatorSubject { get; set; }
    public required string InitiatorName { get; set; }
    public long CountTotal { get; set; }
    public long CountProcessed { get; set; }
    public long CountSucceeded { get; set; }
    public long CountFailed { get; set; }
    public long CountSkipped { get; set; }
    public required string Failures { get; set; }
    public long FailuresDropped { get; set; }
    public required string Context { get; set; }
    public string? TraceId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? CompletedAt { get; set; }

    /// <summary>The worker attempt that started the run last (UpdateRun's fencing token); null until one names itself.</summary>
    public Guid? AttemptId { get; set; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>Created with hold_dispatch and not yet released: no job exists, and none may be put back for it.</summary>
    public bool DispatchHeld { get; set; }

    /// <summary>When CancelRun was called while the run was active; null if it never was.</summary>
    public DateTime? CancelRequestedAt { get; set; }

    /// <summary>Subject of the user who requested the cancel; null for a service (or no cancel).</summary>
    public string? CancelRequestedBySubject { get; set; }

    /// <summary>Display name of who requested the cancel ("System" for a service).</summary>
    public string? CancelRequestedByName { get; set; }
}

/// <summary>
/// The identity of a purged run whose identity policy lasts (ONCE, PER_CLICK): kept when retention deletes the run, so
/// EnsureRun still refuses to do that work again (a scheduled fire replayed after the purge must not run twice).
/// </summary>
public sealed class RunIdentityTombstoneEntity
{
    public Guid WorkspaceId { get; set; }
    public Guid? TenantId { get; set; }
    public required string RunIdentityHash { get; set; }
    public Guid RunId { get; set; }
    public required string Type { get; set; }
    public DateTime CompletedAt { get; set; }
    public DateTime PurgedAt { get; set; }
}

internal sealed class RunIdentityTombstoneConfiguration : IEntityTypeConfiguration<RunIdentityTombstoneEntity>
{
    public void Configure(EntityTypeBuilder<RunIdentityTombstoneEntity> builder)
    {
        builder.ToTable("run_identity_tombstones");
        builder.HasKey(t => t.RunId);
        builder.Property(t => t.WorkspaceId).HasColumnName("workspace_id");
        builder.Property(t => t.TenantId).HasColumnName("tenant_id");
        builder.Property(t => t.RunIdentityHash).HasColumnName("run_identity_hash").HasMaxLength(64).IsFixedLength();
        builder.Property(t => t.RunId).HasColumnName("run_id");
        builder.Property(t => t.Type).HasColumnName("type").HasMaxLength(64);
        builder.Property(t => t.CompletedAt).HasColumnName("completed_at");
        builder.Property(t => t.PurgedAt).HasColumnName("purged_at");
        builder.HasOne<WorkspaceEntity>().WithMany().HasForeignKey(t => t.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        // One lasting identity, one tombstone; EnsureRun looks it up by the same key as the lasting identity index.
        builder.HasIndex(t => new { t.WorkspaceId, t.TenantId, t.RunIdentityHash }, "ux_run_identity_tombstones_identity")
            .IsUnique().AreNullsDistinct(false);
    }
}

/// <summary>A notification for the user who started a run (queued and completed).</summary>
public sealed class NotificationEntity
{
    public long Id { get; set; }
    public required string RecipientSubject { get; set; }
    public Guid RunId { get; set; }
    public Guid WorkspaceId { get; set; }
    public Guid? TenantId { get; set; }
    public required string RunType { get; set; }
    public required string Kind { get; set; }
    public required string Outcome { get; set; }
    public required string Title { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? ReadAt { get; set; }
}

/// <summary>
/// Predicates of the two partial unique identity indexes. ON CONFLICT must repeat them word for word to infer
/// the index, so the schema and the SQL share these constants.
/// </summary>
public static class IdentityIndexPredicates
{
    /// <summary>A while-active identity is unique among active runs only.</summary>
    public const string Active = "status IN ('queued', 'running') AND identity_policy = 'while_active'";

    /// <summary>Per-click and once identities stay taken forever.</summary>
    public const string Lasting = "identity_policy IN ('per_click', 'once')";
}

internal sealed class OperationRunConfiguration : IEntityTypeConfiguration<OperationRunEntity>
{
    public void Configure(EntityTypeBuilder<OperationRunEntity> builder)
    {
        builder.ToTable("operation_runs", t =>
        {
            t.HasCheckConstraint("ck_operation_runs_status", VocabularySql.In("status", RunStatusName.All.Select(v => v.Value)));
            t.HasCheckConstraint("ck_operation_runs_outcome", VocabularySql.In("outcome", RunOutcomeName.All.Select(v => v.Value)));
            // Completed runs and only completed runs have a final outcome: no half-written run can exist.
            t.HasCheckConstraint("ck_operation_runs_outcome_matches_status", "(status = 'completed') = (outcome <> 'pending')");
            t.HasCheckConstraint("ck_operation_runs_identity_policy", VocabularySql.In("identity_policy", IdentityPolicyName.All.Select(v => v.Value)));
            t.HasCheckConstraint("ck_operation_runs_counts_not_negative",
                "count_total >= 0 AND count_processed >= 0 AND count_succeeded >= 0 AND count_failed >= 0 AND count_skipped >= 0");
        });

        builder.Property(r => r.Id).HasColumnName("id");
        builder.Property(r => r.WorkspaceId).HasColumnName("workspace_id");
        builder.Property(r => r.TenantId).HasColumnName("tenant_id");
        builder.Property(r => r.Type).HasColumnName("type").HasMaxLength(64);
        builder.Property(r => r.Status).HasColumnName("status").HasMaxLength(16);
        builder.Property(r => r.Outcome).HasColumnName("outcome").HasMaxLength(24);
        builder.Property(r => r.IdentityPolicy).HasColumnName("identity_policy").HasMaxLength(16);
        builder.Property(r => r.RunIdentityHash).HasColumnName("run_identity_hash").HasMaxLength(64).IsFixedLength();
        builder.Property(r => r.IdentityInputs).HasColumnName("identity_inputs").HasColumnType("jsonb");
        builder.Property(r => r.InitiatorSubject).HasColumnName("initiator_subject").HasMaxLength(256);
        builder.Property(r => r.InitiatorName).HasColumnName("initiator_name").HasMaxLength(200);
        builder.Property(r => r.CountTotal).HasColumnName("count_total").HasDefaultValue(0L);
        builder.Property(r => r.CountProcessed).HasColumnName("count_processed").HasDefaultValue(0L);
        builder.Property(r => r.CountSucceeded).HasColumnName("count_succeeded").HasDefaultValue(0L);
        builder.Property(r => r.CountFailed).HasColumnName("count_failed").HasDefaultValue(0L);
        builder.Property(r => r.CountSkipped).HasColumnName("count_skipped").HasDefaultValue(0L);
        builder.Property(r => r.Failures).HasColumnName("failures").HasColumnType("jsonb").HasDefaultValueSql("'[]'::jsonb");
        builder.Property(r => r.FailuresDropped).HasColumnName("failures_dropped").HasDefaultValue(0L);
        builder.Property(r => r.Context).HasColumnName("context").HasColumnType("jsonb").HasDefaultValueSql("'{}'::jsonb");
        builder.Property(r => r.TraceId).HasColumnName("trace_id").HasMaxLength(32);
        builder.Property(r => r.CreatedAt).HasColumnName("created_at");
        builder.Property(r => r.StartedAt).HasColumnName("started_at");
        builder.Property(r => r.AttemptId).HasColumnName("attempt_id");
        builder.Property(r => r.CompletedAt).HasColumnName("completed_at");
        builder.Property(r => r.UpdatedAt).HasColumnName("updated_at");
        builder.Property(r => r.DispatchHeld).HasColumnName("dispatch_held").HasDefaultValue(false);
        builder.Property(r => r.CancelRequestedAt).HasColumnName("cancel_requested_at");
        builder.Property(r => r.CancelRequestedBySubject).HasColumnName("cancel_requested_by_subject").HasMaxLength(256);
        builder.Property(r => r.CancelRequestedByName).HasColumnName("cancel_requested_by_name").HasMaxLength(200);

        builder.HasOne<WorkspaceEntity>().WithMany().HasForeignKey(r => r.WorkspaceId).OnDelete(DeleteBehavior.Restrict);
        // The run's tenant must be a tenant OF THE RUN'S WORKSPACE. Keyed on (workspace_id, tenant_id), the listing index
        // ix_operation_runs_tenant_created serves the key, so no index of its own is maintained by every insert and status
        // change (issue 16). A workspace-plane run (tenant_id NULL) is not checked (MATCH SIMPLE).
        builder.HasOne<TenantEntity>().WithMany().HasForeignKey(r => new { r.WorkspaceId, r.TenantId })
            .HasPrincipalKey(t => new { t.WorkspaceId, t.Id }).OnDelete(DeleteBehavior.Restrict);

        // Dedupe is the database's job. NULLS NOT DISTINCT: a workspace-plane run (tenant_id NULL) dedupes too.
        builder.HasIndex(r => new { r.WorkspaceId, r.TenantId, r.RunIdentityHash }, "ux_operation_runs_active_identity")
            .IsUnique().AreNullsDistinct(false).HasFilter(IdentityIndexPredicates.Active);
        builder.HasIndex(r => new { r.WorkspaceId, r.TenantId, r.RunIdentityHash }, "ux_operation_runs_lasting_identity")
            .IsUnique().AreNullsDistinct(false).HasFilter(IdentityIndexPredicates.Lasting);

        // Newest-first keyset listing, per workspace and per tenant.
        builder.HasIndex(r => new { r.WorkspaceId, r.CreatedAt, r.Id }, "ix_operation_runs_workspace_created")
            .IsDescending(false, true, true);
        builder.HasIndex(r => new { r.WorkspaceId, r.TenantId, r.CreatedAt, r.Id }, "ix_operation_runs_tenant_created")
            .IsDescending(false, false, true, true);
        // "What is in flight" (the queued/running buckets) is the Operations page's most used filter; active runs
        // are a sliver of history, so without this PostgreSQL scans the table (205 ms at 1M runs; ~1 ms with it).
        builder.HasIndex(r => new { r.WorkspaceId, r.CreatedAt, r.Id }, "ix_operation_runs_active_created")
            .IsDescending(false, true, true).HasFilter("status IN ('queued', 'running')");
        // Retention: a workspace's completed runs oldest first, so each purge batch is an index range, not a scan.
        builder.HasIndex(r => new { r.WorkspaceId, r.CompletedAt }, "ix_operation_runs_retention")
            .HasFilter("status = 'completed'");
    }
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<NotificationEntity>
{
    public void Configure(EntityTypeBuilder<NotificationEntity> builder)
    {
        builder.ToTable("run_notifications", t =>
            t.HasCheckConstraint("ck_run_notifications_kind", VocabularySql.In("kind", NotificationKindName.All)));
        builder.Property(n => n.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        builder.Property(n => n.RecipientSubject).HasColumnName("recipient_subject").HasMaxLength(256);
        builder.Property(n => n.RunId).HasColumnName("run_id");
        builder.Property(n => n.WorkspaceId).HasColumnName("workspace_id");
        builder.Property(n => n.TenantId).HasColumnName("tenant_id");
        builder.Property(n => n.RunType).HasColumnName("run_type").HasMaxLength(64);
        builder.Property(n => n.Kind).HasColumnName("kind").HasMaxLength(16);
        builder.Property(n => n.Outcome).HasColumnName("outcome").HasMaxLength(24);
        builder.Property(n => n.Title).HasColumnName("title").HasMaxLength(300);
        builder.Property(n => n.CreatedAt).HasColumnName("created_at");
        builder.Property(n => n.ReadAt).HasColumnName("read_at");
        builder.HasOne<OperationRunEntity>().WithMany().HasForeignKey(n => n.RunId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(n => new { n.RecipientSubject, n.Id }, "ix_run_notifications_recipient").IsDescending(false, true);
        builder.HasIndex(n => n.RecipientSubject, "ix_run_notifications_unread").HasFilter("read_at IS NULL");
    }
}

/// <summary>
/// A new run's job waiting to be handed to its service's Redis stream. Written by the same statement that
/// creates the run, deleted by the relay once the job is in the stream (or once the run failed to dispatch).
/// </summary>
public sealed class DispatchOutboxEntity
{
    public long Id { get; set; }
    public Guid RunId { get; set; }
    public required string Stream { get; set; }
    public string? TraceParent { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime DeadlineAt { get; set; }
    public DateTime NextAttemptAt { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
}

internal sealed class DispatchOutboxConfiguration : IEntityTypeConfiguration<DispatchOutboxEntity>
{
    public void Configure(EntityTypeBuilder<DispatchOutboxEntity> builder)
    {
        builder.ToTable("run_dispatch_outbox");
        builder.Property(o => o.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        builder.Property(o => o.RunId).HasColumnName("run_id");
        builder.Property(o => o.Stream).HasColumnName("stream").HasMaxLength(64);
        builder.Property(o => o.TraceParent).HasColumnName("trace_parent").HasMaxLength(55);
        builder.Property(o => o.CreatedAt).HasColumnName("created_at");
        builder.Property(o => o.DeadlineAt).HasColumnName("deadline_at");
        builder.Property(o => o.NextAttemptAt).HasColumnName("next_attempt_at");
        builder.Property(o => o.Attempts).HasColumnName("attempts").HasDefaultValue(0);
        builder.Property(o => o.LastError).HasColumnName("last_error").HasMaxLength(1000);
        builder.HasOne<OperationRunEntity>().WithMany().HasForeignKey(o => o.RunId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(o => o.RunId).IsUnique();
        builder.HasIndex(o => o.NextAttemptAt, "ix_run_dispatch_outbox_next_attempt");
    }
}
