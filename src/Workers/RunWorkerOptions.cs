using Microsoft.Extensions.Options;

namespace TenantAtlas.Workers;

/// <summary>The <c>Worker</c> configuration section of a domain service.</summary>
public sealed class RunWorkerOptions
{
    public const string Section = "Worker";

    /// <summary>The service whose stream (<c>ops:{service}</c>) and consumer group this worker uses. Set by AddRunWorker.</summary>
    public string Service { get; set; } = string.Empty;

    /// <summary>Runs handled at the same time by this process.</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>
    /// How long an entry may go without a heartbeat before another consumer reclaims it (XAUTOCLAIM): with
    /// <see cref="ReclaimInterval"/>, how long a dead worker's runs wait to be taken over. Six heartbeats, so a live
    /// worker misses several before it loses a run.
    /// </summary>
    public TimeSpan ClaimIdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a consumer renews its claim on in-flight entries. Must be well under ClaimIdleTimeout.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often to look for entries abandoned by dead consumers.</summary>
    public TimeSpan ReclaimInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Deliveries after which a run is given up: completed failed with <c>worker.lost</c>, entry dead-lettered.</summary>
    public int MaxDeliveries { get; set; } = 3;

    /// <summary>Longest wait between polls of an idle stream (the relay's wake-up message usually comes first).</summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often a running handler's progress counts are sent to RunsService.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>On shutdown, how long in-flight runs may take to finish before they are released to other consumers.</summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// After CancelRun, how long a handler may take to stop between items. One that has not returned by then is treated
    /// as hung: it is abandoned (as at the maximum duration) and the run is completed cancelled with the counts so far.
    /// </summary>
    public TimeSpan CancelGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a run may take before its handler is cancelled and the run completes failed with
    /// <c>worker.timeout</c>, unless <see cref="MaxRunDurations"/> names its type.
    /// </summary>
    public TimeSpan MaxRunDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Tries of a handler that failed because a store was away (PostgreSQL restarting, Redis reconnecting) before the
    /// entry is released for a later delivery; each try counts from zero. A transient failure never fails a run.
    /// </summary>
    public int TransientRetries { get; set; } = 3;

    /// <summary>Wait before the second try; doubled before each further one.</summary>
    public TimeSpan TransientRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Maximum durations by run type (<c>Worker:MaxRunDurations:inventory.sync</c>).</summary>
    public Dictionary<string, TimeSpan> MaxRunDurations { get; } = new(StringComparer.Ordinal);

    public TimeSpan MaxRunDurationOf(string runType) => MaxRunDurations.GetValueOrDefault(runType, MaxRunDuration);

    /// <summary>Why the settings cannot work (e.g. a zero poll interval would spin), or null when they can.</summary>
    public string? Problem() =>
        MaxConcurrency <= 0 || MaxDeliveries <= 0 || TransientRetries <= 0
            ? "Worker:MaxConcurrency, Worker:MaxDeliveries and Worker:TransientRetries must be positive."
        : TransientRetryDelay < TimeSpan.Zero ? "Worker:TransientRetryDelay must not be negative."
        : HeartbeatInterval <= TimeSpan.Zero || HeartbeatInterval >= ClaimIdleTimeout ? "Worker:HeartbeatInterval must be positive and shorter than Worker:ClaimIdleTimeout."
        : ReclaimInterval <= TimeSpan.Zero || MaxPollInterval <= TimeSpan.Zero || ProgressInterval <= TimeSpan.Zero
            ? "Worker:ReclaimInterval, Worker:MaxPollInterval and Worker:ProgressInterval must be positive."
        : ShutdownGrace < TimeSpan.Zero || CancelGrace < TimeSpan.Zero ? "Worker:ShutdownGrace and Worker:CancelGrace must not be negative."
        : MaxRunDuration <= TimeSpan.Zero || MaxRunDurations.Values.Any(d => d <= TimeSpan.Zero)
            ? "Worker:MaxRunDuration and every Worker:MaxRunDurations entry must be positive."
        : null;
}

/// <summary>Refuses to start with settings that cannot work, naming the setting.</summary>
internal sealed class RunWorkerOptionsValidator : IValidateOptions<RunWorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, RunWorkerOptions options) =>
        options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
