namespace TenantAtlas.RestoreService.Restores;

/// <summary>Settings of the <c>Restore</c> section.</summary>
public sealed class RestoreOptions
{
    public const string Section = "Restore";

    /// <summary>How long a stored plan may be executed after its preview; later, the target may have moved on.</summary>
    public TimeSpan PlanLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Writes sent per target tenant per <see cref="WriteWindow"/>: Intune allows 100 POST/PATCH/DELETE per 20 s per app and
    /// tenant (INTUNE.md §2.6), so the restore paces itself there rather than learning it from 429s.
    /// </summary>
    public int WritesPerWindow { get; set; } = 100;

    public TimeSpan WriteWindow { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How often the sweep finishes adapter-run writes a crash left owing.</summary>
    public TimeSpan AdapterSweepInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How old an owed adapter write must be before the sweep takes it (the request that owes it is likely still at it).</summary>
    public TimeSpan AdapterSweepGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Read-backs of an uncertain create before it is left NEEDS_RECONCILE, with this pause before each.</summary>
    public int ReconcileAttempts { get; set; } = 3;

    public TimeSpan ReconcilePause { get; set; } = TimeSpan.FromSeconds(1);
}
