namespace TenantAtlas.RunsService.Retention;

/// <summary>The <c>Retention</c> configuration section: how this replica purges completed runs past their workspace's retention.</summary>
public sealed class RunRetentionOptions
{
    public const string Section = "Retention";

    /// <summary>Off: this replica does not purge (another replica, or a test calling <see cref="RunRetentionPurge.PurgeOnceAsync"/>, does).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Time between purge passes; the first pass runs one interval after start.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Runs deleted per statement. Each batch is its own short transaction, so EnsureRun and the relay never wait
    /// long behind it, and an interrupted pass loses at most one batch of work.
    /// </summary>
    public int BatchSize { get; set; } = 1000;

    public const int MaxBatchSize = 10_000;
}
