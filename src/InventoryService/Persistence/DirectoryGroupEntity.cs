using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TenantAtlas.InventoryService.Persistence;

/// <summary>One Entra group of a tenant, as the last directory_groups.sync saw it (the cache restore mapping searches).</summary>
public sealed class DirectoryGroupEntity
{
    public Guid TenantId { get; set; }
    public required string GroupId { get; set; }
    public required string DisplayName { get; set; }

    /// <summary>The display name lower-cased (a stored generated column): what searches match and sort on.</summary>
    public string SearchName { get; private set; } = string.Empty;
    public List<string> GroupTypes { get; set; } = [];
    public string? MembershipRule { get; set; }
    public bool SecurityEnabled { get; set; }

    /// <summary>A complete sync no longer found it: kept, so a restore plan that named it can say what it was.</summary>
    public bool Deleted { get; set; }
    public Guid LastSeenRunId { get; set; }
    public DateTime LastSeenAt { get; set; }
}

internal sealed class DirectoryGroupConfiguration : IEntityTypeConfiguration<DirectoryGroupEntity>
{
    /// <summary>Entra's limit for a group's display name.</summary>
    public const int MaxDisplayName = 256;

    public void Configure(EntityTypeBuilder<DirectoryGroupEntity> builder)
    {
        builder.ToTable("directory_groups");
        builder.HasKey(g => new { g.TenantId, g.GroupId });
        builder.Property(g => g.TenantId).HasColumnName("tenant_id");
        builder.Property(g => g.GroupId).HasColumnName("group_id").HasMaxLength(64);
        builder.Property(g => g.DisplayName).HasColumnName("display_name").HasMaxLength(MaxDisplayName);
        builder.Property(g => g.SearchName).HasColumnName("search_name").HasMaxLength(MaxDisplayName)
            .HasComputedColumnSql("lower(display_name)", stored: true);
        builder.Property(g => g.GroupTypes).HasColumnName("group_types");
        builder.Property(g => g.MembershipRule).HasColumnName("membership_rule");
        builder.Property(g => g.SecurityEnabled).HasColumnName("security_enabled");
        builder.Property(g => g.Deleted).HasColumnName("deleted");
        builder.Property(g => g.LastSeenRunId).HasColumnName("last_seen_run_id");
        builder.Property(g => g.LastSeenAt).HasColumnName("last_seen_at");
        // Searches: a tenant's groups in name order, by prefix (the database's C collation lets LIKE 'x%' use it).
        builder.HasIndex(g => new { g.TenantId, g.SearchName, g.GroupId });
    }
}
