using Microsoft.EntityFrameworkCore;

namespace TenantAtlas.RunsService.Persistence;

/// <summary>
/// The RunsService schema. EF Core owns the schema (migrations) and the access model; the hot run paths
/// (EnsureRun, UpdateRun, listing) are single SQL statements in <c>Runs/RunStore</c>, because they need
/// ON CONFLICT on partial indexes and atomic in-place increments, which EF cannot express.
/// </summary>
public sealed class RunsDbContext(DbContextOptions<RunsDbContext> options) : DbContext(options)
{
    public const string Schema = "runs";

    public DbSet<WorkspaceEntity> Workspaces => Set<WorkspaceEntity>();
    public DbSet<TenantEntity> Tenants => Set<TenantEntity>();
    public DbSet<MemberEntity> Members => Set<MemberEntity>();
    public DbSet<OperationRunEntity> OperationRuns => Set<OperationRunEntity>();
    public DbSet<NotificationEntity> Notifications => Set<NotificationEntity>();
    public DbSet<DispatchOutboxEntity> DispatchOutbox => Set<DispatchOutboxEntity>();
    public DbSet<RunIdentityTombstoneEntity> RunIdentityTombstones => Set<RunIdentityTombstoneEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(RunsDbContext).Assembly);
    }
}
