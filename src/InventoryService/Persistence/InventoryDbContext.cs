using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TenantAtlas.InventoryService.Persistence;

/// <summary>The <c>inventory</c> schema: policies and directory groups as last seen in Graph. Nothing else reads it.</summary>
public sealed class InventoryDbContext(DbContextOptions<InventoryDbContext> options) : DbContext(options)
{
    public const string Schema = "inventory";

    public DbSet<InventoryItemEntity> Items => Set<InventoryItemEntity>();

    public DbSet<DirectoryGroupEntity> DirectoryGroups => Set<DirectoryGroupEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.ApplyConfiguration(new InventoryItemConfiguration());
        modelBuilder.ApplyConfiguration(new DirectoryGroupConfiguration());
    }
}

/// <summary>One Intune policy of a tenant, as the last inventory.sync run saw it.</summary>
public sealed class InventoryItemEntity
{
    public Guid TenantId { get; set; }
    public required string Family { get; set; }
    public required string ItemId { get; set; }
    public required string OdataType { get; set; }
    public required string DisplayName { get; set; }
    public DateTime? LastModifiedAt { get; set; }
    public List<string> AssignmentTargets { get; set; } = [];
    public Guid LastSeenRunId { get; set; }
    public DateTime LastSeenAt { get; set; }
}

internal sealed class InventoryItemConfiguration : IEntityTypeConfiguration<InventoryItemEntity>
{
    public void Configure(EntityTypeBuilder<InventoryItemEntity> builder)
    {
        builder.ToTable("inventory_items");
        builder.HasKey(i => new { i.TenantId, i.Family, i.ItemId });
        builder.Property(i => i.TenantId).HasColumnName("tenant_id");
        builder.Property(i => i.Family).HasColumnName("family").HasMaxLength(32);
        builder.Property(i => i.ItemId).HasColumnName("item_id").HasMaxLength(128);
        builder.Property(i => i.OdataType).HasColumnName("odata_type").HasMaxLength(200);
        builder.Property(i => i.DisplayName).HasColumnName("display_name").HasMaxLength(400);
        builder.Property(i => i.LastModifiedAt).HasColumnName("last_modified_at");
        builder.Property(i => i.AssignmentTargets).HasColumnName("assignment_targets");
        builder.Property(i => i.LastSeenRunId).HasColumnName("last_seen_run_id");
        builder.Property(i => i.LastSeenAt).HasColumnName("last_seen_at");
        // "The items a sync produced" (run detail's related link).
        builder.HasIndex(i => new { i.TenantId, i.LastSeenRunId });
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the service.</summary>
internal sealed class DesignTimeDbContextFactory : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<InventoryDbContext>
{
    public InventoryDbContext CreateDbContext(string[] args) => new(new DbContextOptionsBuilder<InventoryDbContext>()
        .UseNpgsql("Host=localhost;Database=design_time", npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history", InventoryDbContext.Schema))
        .Options);
}
