using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TenantAtlas.RestoreService.Persistence;

/// <summary>The <c>restore</c> schema: restores, their plan items and per-item write journals. Nothing else reads it.</summary>
public sealed class RestoreDbContext(DbContextOptions<RestoreDbContext> options) : DbContext(options)
{
    public const string Schema = "restore";

    public DbSet<RestoreRunEntity> Restores => Set<RestoreRunEntity>();

    public DbSet<RestoreItemEntity> Items => Set<RestoreItemEntity>();

    public DbSet<RestoreTemplateEntity> Templates => Set<RestoreTemplateEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.ApplyConfiguration(new RestoreRunConfiguration());
        modelBuilder.ApplyConfiguration(new RestoreItemConfiguration());
        modelBuilder.ApplyConfiguration(new RestoreTemplateConfiguration());
    }
}

/// <summary>A restore (seed 049's RestoreRun): the domain record, with its own status vocabulary (<see cref="Restores.RestoreStatuses"/>).</summary>
public sealed class RestoreRunEntity
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public Guid BackupSetId { get; set; }
    public Guid SourceTenantId { get; set; }
    public Guid TargetTenantId { get; set; }
    public required string TargetEntraTenantId { get; set; }
    public bool CrossTenant { get; set; }
    /// <summary>Chosen backup items; empty = every captured item of the set.</summary>
    public List<Guid> ItemIds { get; set; } = [];
    public bool AllowOverwrite { get; set; }
    public bool AllowBroadTargets { get; set; }
    public bool DryRun { get; set; }
    public required string Status { get; set; }
    public Guid? PreviewRunId { get; set; }
    /// <summary>The restore.execute adapter run, from PREVIEWED on.</summary>
    public Guid? ExecuteRunId { get; set; }
    public string? PlanHash { get; set; }
    public DateTime? PlanExpiresAt { get; set; }
    /// <summary>JSON array of the user's choices per source group (<see cref="Planning.GroupChoiceEntry"/>).</summary>
    public string GroupChoices { get; set; } = "[]";
    /// <summary>JSON array of the latest preview's group mappings (<see cref="Planning.GroupMappingEntry"/>).</summary>
    public string GroupMappings { get; set; } = "[]";
    /// <summary>JSON array of the user's reference decisions (<see cref="Planning.ReferenceDecisionEntry"/>).</summary>
    public string ReferenceDecisions { get; set; } = "[]";
    /// <summary>JSON array of the latest preview's notification template mappings (<see cref="Planning.TemplateMappingEntry"/>).</summary>
    public string TemplateMappings { get; set; } = "[]";
    /// <summary>
    /// The write to the adapter run this status change still owes ("release" or "cancel"), set in the same statement
    /// as the status and cleared once RunsService took it; the healing sweep finishes what a crash left owing.
    /// </summary>
    public string? AdapterPending { get; set; }
    public string? FailureCode { get; set; }
    public string? FailureMessage { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>One item of a restore: its plan (from the preview) and, once executed, its result and journal.</summary>
public sealed class RestoreItemEntity
{
    public Guid RestoreId { get; set; }
    public Guid ItemId { get; set; }
    public required string Family { get; set; }
    public required string SourcePolicyId { get; set; }
    public required string OdataType { get; set; }
    public required string DisplayName { get; set; }
    /// <summary>A <see cref="Restores.RestoreActions"/> name.</summary>
    public required string Action { get; set; }
    public string? BlockedReason { get; set; }
    public string? TargetPolicyId { get; set; }
    /// <summary>Hash of the target's restorable form at preview time: execute re-reads and compares before writing.</summary>
    public string? TargetHash { get; set; }
    /// <summary>The JSON body a create POSTs or an update PATCHes (mapped, server-owned properties stripped).</summary>
    public string? Body { get; set; }
    /// <summary>JSON array of the complete mapped assignment set for the one /assign; null when assignments are left out.</summary>
    public string? Assignments { get; set; }
    /// <summary>JSON array of compliance scheduled actions (mapped) for scheduleActionsForRules on update; null otherwise.</summary>
    public string? ScheduledActions { get; set; }
    /// <summary>Hash of the restorable form the item should have after the restore: what read-back and verification compare.</summary>
    public string? IntendedHash { get; set; }
    public string Changes { get; set; } = "[]";
    public string Calls { get; set; } = "[]";
    public string References { get; set; } = "[]";
    /// <summary>JSON array of the JSON pointers of the secret values the item's writes need (never the values).</summary>
    public string SecretPaths { get; set; } = "[]";
    /// <summary>JSON array of the target policy ids that could be a lost create (NEEDS_RECONCILE).</summary>
    public string ReconcileCandidates { get; set; } = "[]";
    /// <summary>A <see cref="Restores.RestoreItemResults"/> name.</summary>
    public required string Result { get; set; }
    public string Journal { get; set; } = "[]";
    public string? FailureCode { get; set; }
    public string? FailureMessage { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>
/// A notification template an execution creates in the target: journaled like an item's create ("create_sent" before the
/// POST, the target id after), so a lost answer is reconciled by reading back and the template is made once per restore.
/// </summary>
public sealed class RestoreTemplateEntity
{
    public Guid RestoreId { get; set; }
    public required string SourceTemplateId { get; set; }
    public string? TargetTemplateId { get; set; }
    /// <summary>"pending", "created" or "needs_reconcile".</summary>
    public required string Result { get; set; }
    public string Journal { get; set; } = "[]";
    public DateTime UpdatedAt { get; set; }
}

internal sealed class RestoreRunConfiguration : IEntityTypeConfiguration<RestoreRunEntity>
{
    public void Configure(EntityTypeBuilder<RestoreRunEntity> builder)
    {
        builder.ToTable("restore_runs");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).HasColumnName("id");
        builder.Property(r => r.WorkspaceId).HasColumnName("workspace_id");
        builder.Property(r => r.BackupSetId).HasColumnName("backup_set_id");
        builder.Property(r => r.SourceTenantId).HasColumnName("source_tenant_id");
        builder.Property(r => r.TargetTenantId).HasColumnName("target_tenant_id");
        builder.Property(r => r.TargetEntraTenantId).HasColumnName("target_entra_tenant_id").HasMaxLength(64);
        builder.Property(r => r.CrossTenant).HasColumnName("cross_tenant");
        builder.Property(r => r.ItemIds).HasColumnName("item_ids");
        builder.Property(r => r.AllowOverwrite).HasColumnName("allow_overwrite");
        builder.Property(r => r.AllowBroadTargets).HasColumnName("allow_broad_targets");
        builder.Property(r => r.DryRun).HasColumnName("dry_run");
        builder.Property(r => r.Status).HasColumnName("status").HasMaxLength(16);
        builder.Property(r => r.PreviewRunId).HasColumnName("preview_run_id");
        builder.Property(r => r.ExecuteRunId).HasColumnName("execute_run_id");
        builder.Property(r => r.PlanHash).HasColumnName("plan_hash").HasMaxLength(64);
        builder.Property(r => r.PlanExpiresAt).HasColumnName("plan_expires_at");
        builder.Property(r => r.GroupChoices).HasColumnName("group_choices").HasColumnType("jsonb");
        builder.Property(r => r.GroupMappings).HasColumnName("group_mappings").HasColumnType("jsonb");
        builder.Property(r => r.ReferenceDecisions).HasColumnName("reference_decisions").HasColumnType("jsonb").HasDefaultValueSql("'[]'::jsonb");
        builder.Property(r => r.TemplateMappings).HasColumnName("template_mappings").HasColumnType("jsonb").HasDefaultValueSql("'[]'::jsonb");
        builder.Property(r => r.AdapterPending).HasColumnName("adapter_pending").HasMaxLength(16);
        builder.Property(r => r.FailureCode).HasColumnName("failure_code").HasMaxLength(64);
        builder.Property(r => r.FailureMessage).HasColumnName("failure_message").HasMaxLength(1000);
        builder.Property(r => r.CreatedBy).HasColumnName("created_by").HasMaxLength(256);
        builder.Property(r => r.CreatedAt).HasColumnName("created_at");
        builder.Property(r => r.UpdatedAt).HasColumnName("updated_at");
        // A tenant's restores, newest first (ListRestores).
        builder.HasIndex(r => new { r.TargetTenantId, r.CreatedAt, r.Id }).IsDescending(false, true, true);
        // The healing sweep finds owed adapter writes without scanning every restore.
        builder.HasIndex(r => r.UpdatedAt).HasFilter("adapter_pending IS NOT NULL").HasDatabaseName("ix_restore_runs_adapter_pending");
    }
}

internal sealed class RestoreItemConfiguration : IEntityTypeConfiguration<RestoreItemEntity>
{
    public void Configure(EntityTypeBuilder<RestoreItemEntity> builder)
    {
        builder.ToTable("restore_items");
        builder.HasKey(i => new { i.RestoreId, i.ItemId });
        builder.Property(i => i.RestoreId).HasColumnName("restore_id");
        builder.Property(i => i.ItemId).HasColumnName("item_id");
        builder.Property(i => i.Family).HasColumnName("family").HasMaxLength(32);
        builder.Property(i => i.SourcePolicyId).HasColumnName("source_policy_id").HasMaxLength(128);
        builder.Property(i => i.OdataType).HasColumnName("odata_type").HasMaxLength(200);
        builder.Property(i => i.DisplayName).HasColumnName("display_name").HasMaxLength(400);
        builder.Property(i => i.Action).HasColumnName("action").HasMaxLength(16);
        builder.Property(i => i.BlockedReason).HasColumnName("blocked_reason").HasMaxLength(64);
        builder.Property(i => i.TargetPolicyId).HasColumnName("target_policy_id").HasMaxLength(128);
        builder.Property(i => i.TargetHash).HasColumnName("target_hash").HasMaxLength(64);
        // Text, not jsonb: written to Graph exactly as planned (and hashed into the plan).
        builder.Property(i => i.Body).HasColumnName("body");
        builder.Property(i => i.Assignments).HasColumnName("assignments");
        builder.Property(i => i.ScheduledActions).HasColumnName("scheduled_actions");
        builder.Property(i => i.IntendedHash).HasColumnName("intended_hash").HasMaxLength(64);
        builder.Property(i => i.Changes).HasColumnName("changes").HasColumnType("jsonb");
        builder.Property(i => i.Calls).HasColumnName("calls").HasColumnType("jsonb");
        builder.Property(i => i.References).HasColumnName("references").HasColumnType("jsonb");
        builder.Property(i => i.SecretPaths).HasColumnName("secret_paths").HasColumnType("jsonb").HasDefaultValueSql("'[]'::jsonb");
        builder.Property(i => i.ReconcileCandidates).HasColumnName("reconcile_candidates").HasColumnType("jsonb").HasDefaultValueSql("'[]'::jsonb");
        builder.Property(i => i.Result).HasColumnName("result").HasMaxLength(24);
        builder.Property(i => i.Journal).HasColumnName("journal").HasColumnType("jsonb");
        builder.Property(i => i.FailureCode).HasColumnName("failure_code").HasMaxLength(64);
        builder.Property(i => i.FailureMessage).HasColumnName("failure_message").HasMaxLength(1000);
        builder.Property(i => i.UpdatedAt).HasColumnName("updated_at");
        builder.HasOne<RestoreRunEntity>().WithMany().HasForeignKey(i => i.RestoreId).OnDelete(DeleteBehavior.Cascade);
        // ListRestoreItems' order.
        builder.HasIndex(i => new { i.RestoreId, i.Family, i.DisplayName, i.ItemId });
    }
}

internal sealed class RestoreTemplateConfiguration : IEntityTypeConfiguration<RestoreTemplateEntity>
{
    public void Configure(EntityTypeBuilder<RestoreTemplateEntity> builder)
    {
        builder.ToTable("restore_templates");
        builder.HasKey(t => new { t.RestoreId, t.SourceTemplateId });
        builder.Property(t => t.RestoreId).HasColumnName("restore_id");
        builder.Property(t => t.SourceTemplateId).HasColumnName("source_template_id").HasMaxLength(128);
        builder.Property(t => t.TargetTemplateId).HasColumnName("target_template_id").HasMaxLength(128);
        builder.Property(t => t.Result).HasColumnName("result").HasMaxLength(24);
        builder.Property(t => t.Journal).HasColumnName("journal").HasColumnType("jsonb");
        builder.Property(t => t.UpdatedAt).HasColumnName("updated_at");
        builder.HasOne<RestoreRunEntity>().WithMany().HasForeignKey(t => t.RestoreId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the service.</summary>
internal sealed class DesignTimeDbContextFactory : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<RestoreDbContext>
{
    public RestoreDbContext CreateDbContext(string[] args) => new(new DbContextOptionsBuilder<RestoreDbContext>()
        .UseNpgsql("Host=localhost;Database=design_time", npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history", RestoreDbContext.Schema))
        .Options);
}
