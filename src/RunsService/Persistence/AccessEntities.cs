using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TenantAtlas.RunsService.Persistence;

/// <summary>A workspace: the unit of membership.</summary>
public sealed class WorkspaceEntity
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>Days completed runs are kept before retention purges them (1-3650, default 90).</summary>
    public int RunRetentionDays { get; set; } = DefaultRunRetentionDays;

    /// <summary>When an owner last changed <see cref="RunRetentionDays"/>; null while it is the default.</summary>
    public DateTime? RunRetentionUpdatedAt { get; set; }

    public const int DefaultRunRetentionDays = 90;
    public const int MinRunRetentionDays = 1;
    public const int MaxRunRetentionDays = 3650;
}

/// <summary>An Intune tenant registered in a workspace.</summary>
public sealed class TenantEntity
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public Guid EntraTenantId { get; set; }
    public required string DisplayName { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A user's membership of a workspace. <see cref="TenantIds"/> null means every tenant.</summary>
public sealed class MemberEntity
{
    public Guid WorkspaceId { get; set; }
    public required string Subject { get; set; }
    public required string DisplayName { get; set; }
    public required string Role { get; set; }
    public List<Guid>? TenantIds { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

internal sealed class WorkspaceConfiguration : IEntityTypeConfiguration<WorkspaceEntity>
{
    public void Configure(EntityTypeBuilder<WorkspaceEntity> builder)
    {
        builder.ToTable("workspaces", t => t.HasCheckConstraint("ck_workspaces_run_retention_days",
            $"run_retention_days BETWEEN {WorkspaceEntity.MinRunRetentionDays} AND {WorkspaceEntity.MaxRunRetentionDays}"));
        builder.Property(w => w.Id).HasColumnName("id");
        builder.Property(w => w.Name).HasColumnName("name").HasMaxLength(200);
        builder.Property(w => w.CreatedAt).HasColumnName("created_at").HasDefaultValueSql("now()");
        builder.Property(w => w.RunRetentionDays).HasColumnName("run_retention_days").HasDefaultValue(WorkspaceEntity.DefaultRunRetentionDays);
        builder.Property(w => w.RunRetentionUpdatedAt).HasColumnName("run_retention_updated_at");
    }
}

internal sealed class TenantConfiguration : IEntityTypeConfiguration<TenantEntity>
{
    public void Configure(EntityTypeBuilder<TenantEntity> builder)
    {
        builder.ToTable("tenants");
        builder.Property(t => t.Id).HasColumnName("id");
        builder.Property(t => t.WorkspaceId).HasColumnName("workspace_id");
        builder.Property(t => t.EntraTenantId).HasColumnName("entra_tenant_id");
        builder.Property(t => t.DisplayName).HasColumnName("display_name").HasMaxLength(200);
        builder.Property(t => t.CreatedAt).HasColumnName("created_at").HasDefaultValueSql("now()");
        builder.HasOne<WorkspaceEntity>().WithMany().HasForeignKey(t => t.WorkspaceId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(t => new { t.WorkspaceId, t.EntraTenantId }).IsUnique();
    }
}

internal sealed class MemberConfiguration : IEntityTypeConfiguration<MemberEntity>
{
    public void Configure(EntityTypeBuilder<MemberEntity> builder)
    {
        builder.ToTable("workspace_members", t => t.HasCheckConstraint("ck_workspace_members_role",
            "role IN ('readonly', 'operator', 'manager', 'owner')"));
        builder.HasKey(m => new { m.WorkspaceId, m.Subject });
        builder.Property(m => m.WorkspaceId).HasColumnName("workspace_id");
        builder.Property(m => m.Subject).HasColumnName("subject").HasMaxLength(256);
        builder.Property(m => m.DisplayName).HasColumnName("display_name").HasMaxLength(200);
        builder.Property(m => m.Role).HasColumnName("role").HasMaxLength(16);
        builder.Property(m => m.TenantIds).HasColumnName("tenant_ids");
        builder.Property(m => m.CreatedAt).HasColumnName("created_at").HasDefaultValueSql("now()");
        builder.Property(m => m.UpdatedAt).HasColumnName("updated_at").HasDefaultValueSql("now()");
        builder.HasOne<WorkspaceEntity>().WithMany().HasForeignKey(m => m.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        // "Which workspaces am I in?" is asked on every sign-in.
        builder.HasIndex(m => m.Subject);
    }
}
