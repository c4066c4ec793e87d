using System.Collections.Concurrent;

namespace TenantAtlas.RestoreService.Execution;

/// <summary>
/// The secret values of executions, in this process's memory only: held from ExecuteRestore until the write that needs
/// each (or the plan's expiry), handed out once and forgotten. Nothing here is persisted, logged or traced, so a restart
/// (or an execution taken by another RestoreService replica) loses them: the items that needed them end BLOCKED
/// "secret_required" with that reason, and nothing is written with a placeholder instead.
/// </summary>
public sealed class SecretVault(TimeProvider time)
{
    private readonly ConcurrentDictionary<Guid, Held> restores = new();

    public void Hold(Guid restoreId, IReadOnlyList<SecretInput> secrets, DateTime expiresAt)
    {
        Sweep();
        restores[restoreId] = new Held(
            secrets.GroupBy(s => s.ItemId).ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, string>)g.ToDictionary(s => s.Path, s => s.Value, StringComparer.Ordinal)),
            new DateTimeOffset(DateTime.SpecifyKind(expiresAt, DateTimeKind.Utc)));
    }

    /// <summary>True when this process holds secrets of the restore (so an item without its values was not given them here).</summary>
    public bool Holds(Guid restoreId) => restores.TryGetValue(restoreId, out var held) && held.ExpiresAt > time.GetUtcNow();

    /// <summary>The values given for an item (path → value), or none; handed out for the write that needs them.</summary>
    public IReadOnlyDictionary<string, string> For(Guid restoreId, Guid itemId) =>
        restores.TryGetValue(restoreId, out var held) && held.ExpiresAt > time.GetUtcNow() && held.Items.TryGetValue(itemId, out var values)
            ? values
            : new Dictionary<string, string>();

    /// <summary>Forgets a restore's values (its execution ended).</summary>
    public void Forget(Guid restoreId) => restores.TryRemove(restoreId, out _);

    private void Sweep()
    {
        var now = time.GetUtcNow();
        foreach (var (id, held) in restores)
        {
            if (held.ExpiresAt <= now)
            {
                restores.TryRemove(id, out _);
            }
        }
    }

    private sealed record Held(IReadOnlyDictionary<Guid, IReadOnlyDictionary<string, string>> Items, DateTimeOffset ExpiresAt);
}
