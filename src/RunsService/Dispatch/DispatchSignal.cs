namespace TenantAtlas.RunsService.Dispatch;

/// <summary>
/// Wakes this replica's relay when this replica has written a job to the outbox. In-process on purpose: a
/// PostgreSQL NOTIFY from the writing transaction takes a database-wide lock held through commit, which
/// serializes every EnsureRun commit (measured: 16 concurrent inserts fell from 17k/s to 5k/s). Jobs written by
/// another replica are found by the relay's poll (<see cref="DispatchOptions.PollInterval"/>); normally that
/// replica's own relay takes them at once.
/// </summary>
public sealed class DispatchSignal : WakeSignal;
