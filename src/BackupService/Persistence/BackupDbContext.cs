using TenantAtlas.TenantGraph;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TenantAtlas.BackupService.Persistence;

/// <summary>The <c>backup</c> schema: backup sets, their items, and policy versions by content hash. Nothing else reads it.</summary>
public sealed class BackupDbContext(DbContextOptions<BackupDbContext> options) : DbContext(options)
{
    public const string Schema = "backup";

    public DbSet<BackupSetEntity> Sets => Set<BackupSetEntity>();

    public DbSet<BackupItemEntity> Items => Set<BackupItemEntity>();

    public DbSet<PolicyContentEntity> Contents => Set<PolicyContentEntity>();

    public DbSet<BackupScheduleEntity> Schedules => Set<BackupScheduleEntity>();

    public DbSet<DriftFindingEntity> DriftFindings => Set<DriftFindingEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.ApplyConfiguration(new BackupSetConfiguration());
        modelBuilder.ApplyConfiguration(new BackupItemConfiguration());
        modelBuilder.ApplyConfiguration(new PolicyContentConfiguration());
        modelBuilder.ApplyConfiguration(new BackupScheduleConfiguration());
        modelBuilder.ApplyConfiguration(new DriftFindingConfiguration());
    }
}

/// <summary>A tenant's backup set; its status and coverage are those of its latest capture.</summary>
public sealed class BackupSetEntity
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public Guid TenantId { get; set; }
    public required string DisplayName { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>A <see cref="Capture.SetStatus"/> name.</summary>
    public required string Status { get; set; }
    public Guid? LastRunId { get; set; }
    public DateTime? CapturedAt { get; set; }
    /// <summary>JSON array of <see cref="Capture.FamilyCoverage"/> of the latest capture.</summary>
    public string Coverage { get; set; } = "[]";
    /// <summary>The schedule whose run made the set (retention only ever deletes those); null for a set made by hand.</summary>
    public Guid? ScheduleId { get; set; }
}

/// <summary>A backup schedule: what to capture, when (cron in a time zone), how long to keep its sets, and how far it has fired.</summary>
public sealed class BackupScheduleEntity
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public Guid TenantId { get; set; }
    public required string DisplayName { get; set; }
    public required string CronExpression { get; set; }
    public required string TimeZone { get; set; }
    public List<string> Families { get; set; } = [];
    public List<string> PolicyIds { get; set; } = [];
    public int KeepLast { get; set; }
    public int KeepDays { get; set; }
    public bool Enabled { get; set; }
    /// <summary>When the scheduler should next look at it (the next occurrence after the last slot fired); null while disabled.</summary>
    public DateTime? NextFireAt { get; set; }
    /// <summary>The intended fire time of the latest slot fired.</summary>
    public DateTime? LastFiredFor { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>One policy in a set: its latest capture's outcome and, once captured, the hash of its content.</summary>
public sealed class BackupItemEntity
{
    public Guid Id { get; set; }
    public Guid BackupSetId { get; set; }
    public required string Family { get; set; }
    public required string PolicyId { get; set; }
    public required string OdataType { get; set; }
    public required string DisplayName { get; set; }
    /// <summary>"captured" or "failed".</summary>
    public required string Outcome { get; set; }
    public string? ContentHash { get; set; }
    public string? FailureCode { get; set; }
    public string? FailureMessage { get; set; }
    public int RedactedSecrets { get; set; }
    public int AssignmentCount { get; set; }
    /// <summary>JSON array of resolved references (kind, id, displayName, detail).</summary>
    public string References { get; set; } = "[]";
    public Guid RunId { get; set; }
    public DateTime CapturedAt { get; set; }
}

/// <summary>One version of a policy: its stored JSON (secrets redacted), addressed by the SHA-256 of its canonical form.</summary>
public sealed class PolicyContentEntity
{
    public Guid TenantId { get; set; }
    public required string ContentHash { get; set; }
    public required string Family { get; set; }
    public required string PolicyId { get; set; }
    public required string Content { get; set; }
    public Guid FirstRunId { get; set; }
    public DateTime CreatedAt { get; set; }
}

internal sealed class BackupSetConfiguration : IEntityTypeConfiguration<BackupSetEntity>
{
    public void Configure(EntityTypeBuilder<BackupSetEntity> builder)
    {
        builder.ToTable("backup_sets");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).HasColumnName("id");
        builder.Property(s => s.WorkspaceId).HasColumnName("workspace_id");
        builder.Property(s => s.TenantId).HasColumnName("tenant_id");
        builder.Property(s => s.DisplayName).HasColumnName("display_name").HasMaxLength(200);
        builder.Property(s => s.CreatedBy).HasColumnName("created_by").HasMaxLength(256);
        builder.Property(s => s.CreatedAt).HasColumnName("created_at");
        builder.Property(s => s.Status).HasColumnName("status").HasMaxLength(32);
        builder.Property(s => s.LastRunId).HasColumnName("last_run_id");
        builder.Property(s => s.CapturedAt).HasColumnName("captured_at");
        builder.Property(s => s.Coverage).HasColumnName("coverage").HasColumnType("jsonb");
        builder.Property(s => s.ScheduleId).HasColumnName("schedule_id");
        // A schedule's sets, newest first (retention).
        builder.HasIndex(s => new { s.ScheduleId, s.CreatedAt });
        // A tenant's sets, newest first (ListBackupSets).
        builder.HasIndex(s => new { s.TenantId, s.CreatedAt, s.Id }).IsDescending(false, true, true);
    }
}

internal sealed class BackupItemConfiguration : IEntityTypeConfiguration<BackupItemEntity>
{
    public void Configure(EntityTypeBuilder<BackupItemEntity> builder)
    {
        builder.ToTable("backup_items");
        builder.HasKey(i => i.Id);
        builder.Property(i => i.Id).HasColumnName("id");
        builder.Property(i => i.BackupSetId).HasColumnName("backup_set_id");
        builder.Property(i => i.Family).HasColumnName("family").HasMaxLength(32);
        builder.Property(i => i.PolicyId).HasColumnName("policy_id").HasMaxLength(128);
        builder.Property(i => i.OdataType).HasColumnName("odata_type").HasMaxLength(200);
        builder.Property(i => i.DisplayName).HasColumnName("display_name").HasMaxLength(400);
        builder.Property(i => i.Outcome).HasColumnName("outcome").HasMaxLength(16);
        builder.Property(i => i.ContentHash).HasColumnName("content_hash").HasMaxLength(64);
        builder.Property(i => i.FailureCode).HasColumnName("failure_code").HasMaxLength(64);
        builder.Property(i => i.FailureMessage).HasColumnName("failure_message").HasMaxLength(1000);
        builder.Property(i => i.RedactedSecrets).HasColumnName("redacted_secrets");
        builder.Property(i => i.AssignmentCount).HasColumnName("assignment_count");
        builder.Property(i => i.References).HasColumnName("references").HasColumnType("jsonb");
        builder.Property(i => i.RunId).HasColumnName("run_id");
        builder.Property(i => i.CapturedAt).HasColumnName("captured_at");
        builder.HasOne<BackupSetEntity>().WithMany().HasForeignKey(i => i.BackupSetId).OnDelete(DeleteBehavior.Cascade);
        // A set holds one version of each policy: a capture (or its redelivery) upserts the row.
        builder.HasIndex(i => new { i.BackupSetId, i.Family, i.PolicyId }).IsUnique();
        // ListBackupItems' order.
        builder.HasIndex(i => new { i.BackupSetId, i.Family, i.DisplayName, i.PolicyId });
    }
}

internal sealed class PolicyContentConfiguration : IEntityTypeConfiguration<PolicyContentEntity>
{
    public void Configure(EntityTypeBuilder<PolicyContentEntity> builder)
    {
        builder.ToTable("policy_contents");
        builder.HasKey(c => new { c.TenantId, c.ContentHash });
        builder.Property(c => c.TenantId).HasColumnName("tenant_id");
        builder.Property(c => c.ContentHash).HasColumnName("content_hash").HasMaxLength(64);
        builder.Property(c => c.Family).HasColumnName("family").HasMaxLength(32);
        builder.Property(c => c.PolicyId).HasColumnName("policy_id").HasMaxLength(128);
        // Text, not jsonb: the JSON is kept as Graph sent it (jsonb would reorder keys and drop duplicates).
        builder.Property(c => c.Content).HasColumnName("content");
        builder.Property(c => c.FirstRunId).HasColumnName("first_run_id");
        builder.Property(c => c.CreatedAt).HasColumnName("created_at");
        // A policy's versions over time.
        builder.HasIndex(c => new { c.TenantId, c.Family, c.PolicyId, c.CreatedAt });
    }
}

/// <summary>A policy that drifted from a baseline set, as one drift.generate run found it.</summary>
public sealed class DriftFindingEntity
{
    public Guid Id { get; set; }
    public Guid RunId { get; set; }
    public Guid TenantId { get; set; }
    public Guid BaselineSetId { get; set; }
    /// <summary>"added", "removed", "changed" or "unknown" (<see cref="Drift.DriftVerdict"/>).</summary>
    public required string Kind { get; set; }
    public required string Family { get; set; }
    public required string PolicyId { get; set; }
    public required string DisplayName { get; set; }
    public required string OdataType { get; set; }
    /// <summary>JSON array of <see cref="PolicyChange"/> (changed policies only).</summary>
    public string Changes { get; set; } = "[]";
    public DateTime CreatedAt { get; set; }
}

internal sealed class DriftFindingConfiguration : IEntityTypeConfiguration<DriftFindingEntity>
{
    public void Configure(EntityTypeBuilder<DriftFindingEntity> builder)
    {
        builder.ToTable("drift_findings");
        builder.HasKey(f => f.Id);
        builder.Property(f => f.Id).HasColumnName("id");
        builder.Property(f => f.RunId).HasColumnName("run_id");
        builder.Property(f => f.TenantId).HasColumnName("tenant_id");
        builder.Property(f => f.BaselineSetId).HasColumnName("baseline_set_id");
        builder.Property(f => f.Kind).HasColumnName("kind").HasMaxLength(16);
        builder.Property(f => f.Family).HasColumnName("family").HasMaxLength(32);
        builder.Property(f => f.PolicyId).HasColumnName("policy_id").HasMaxLength(128);
        builder.Property(f => f.DisplayName).HasColumnName("display_name").HasMaxLength(400);
        builder.Property(f => f.OdataType).HasColumnName("odata_type").HasMaxLength(200);
        builder.Property(f => f.Changes).HasColumnName("changes").HasColumnType("jsonb");
        builder.Property(f => f.CreatedAt).HasColumnName("created_at");
        // One finding per policy per run (a redelivered run replaces its findings); ListDriftFindings' order.
        builder.HasIndex(f => new { f.RunId, f.Family, f.PolicyId }).IsUnique();
        builder.HasIndex(f => new { f.RunId, f.Family, f.DisplayName, f.PolicyId });
    }
}

internal sealed class BackupScheduleConfiguration : IEntityTypeConfiguration<BackupScheduleEntity>
{
    public void Configure(EntityTypeBuilder<BackupScheduleEntity> builder)
    {
        builder.ToTable("backup_schedules");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).HasColumnName("id");
        builder.Property(s => s.WorkspaceId).HasColumnName("workspace_id");
        builder.Property(s => s.TenantId).HasColumnName("tenant_id");
        builder.Property(s => s.DisplayName).HasColumnName("display_name").HasMaxLength(200);
        builder.Property(s => s.CronExpression).HasColumnName("cron_expression").HasMaxLength(100);
        builder.Property(s => s.TimeZone).HasColumnName("time_zone").HasMaxLength(64);
        builder.Property(s => s.Families).HasColumnName("families");
        builder.Property(s => s.PolicyIds).HasColumnName("policy_ids");
        builder.Property(s => s.KeepLast).HasColumnName("keep_last");
        builder.Property(s => s.KeepDays).HasColumnName("keep_days");
        builder.Property(s => s.Enabled).HasColumnName("enabled");
        builder.Property(s => s.NextFireAt).HasColumnName("next_fire_at");
        builder.Property(s => s.LastFiredFor).HasColumnName("last_fired_for");
        builder.Property(s => s.CreatedBy).HasColumnName("created_by").HasMaxLength(256);
        builder.Property(s => s.CreatedAt).HasColumnName("created_at");
        builder.Property(s => s.UpdatedAt).HasColumnName("updated_at");
        builder.HasIndex(s => new { s.TenantId, s.DisplayName });
        // The scheduler's question: which enabled schedules are due.
        builder.HasIndex(s => s.NextFireAt).HasFilter("enabled");
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the service.</summary>
internal sealed class DesignTimeDbContextFactory : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<BackupDbContext>
{
    public BackupDbContext CreateDbContext(string[] args) => new(new DbContextOptionsBuilder<BackupDbContext>()
        .UseNpgsql("Host=localhost;Database=design_time", npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history", BackupDbContext.Schema))
        .Options);
}
