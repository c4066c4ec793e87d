using TenantAtlas.RestoreService.Persistence;
using TenantAtlas.RestoreService.Planning;
using TenantAtlas.RestoreService.Restores;

namespace TenantAtlas.RestoreService.Execution;

/// <summary>
/// A secret value given to ExecuteRestore for one write: the item, the JSON pointer of the secret in its policy, the
/// plaintext. Write-only: validated against the plan, then held in memory by <see cref="SecretVault"/> until the write
/// that needs it; never stored, logged, traced or returned (a validation message names the item and path, never the value).
/// </summary>
public sealed record SecretInput(Guid ItemId, string Path, string Value)
{
    public const int MaxValueLength = 8_192;

    /// <summary>INVALID_ARGUMENT when a value is for no item of this restore, for a path its writes do not need, or given twice.</summary>
    public static void Validate(IReadOnlyList<SecretInput> secrets, IReadOnlyList<RestoreItemEntity> items)
    {
        if (secrets.Count == 0)
        {
            return;
        }
        var needs = items.Where(i => i.Action is RestoreActions.Create or RestoreActions.Update)
            .ToDictionary(i => i.ItemId, i => StoredJson.Read<List<string>>(i.SecretPaths).ToHashSet(StringComparer.Ordinal));
        var v = new RequestValidator();
        var seen = new HashSet<(Guid, string)>();
        for (var i = 0; i < secrets.Count; i++)
        {
            var secret = secrets[i];
            if (!needs.TryGetValue(secret.ItemId, out var paths))
            {
                v.Add($"secrets[{i}].item_id", items.Any(it => it.ItemId == secret.ItemId)
                    ? $"item '{secret.ItemId}' is not written by this restore's plan, so it needs no secret."
                    : $"'{secret.ItemId}' is not an item of this restore.");
            }
            else if (!paths.Contains(secret.Path))
            {
                v.Add($"secrets[{i}].path", paths.Count == 0
                    ? $"item '{secret.ItemId}' needs no secret."
                    : $"'{secret.Path}' is not a secret item '{secret.ItemId}' needs (its secret_paths: {string.Join(", ", paths.Order(StringComparer.Ordinal))}).");
            }
            if (!seen.Add((secret.ItemId, secret.Path)))
            {
                v.Add($"secrets[{i}]", $"gives the value of '{secret.Path}' of item '{secret.ItemId}' a second time; give each once.");
            }
        }
        v.ThrowIfInvalid();
    }
}
