using Npgsql;
using TenantAtlas.RunsService.Access;
using TenantAtlas.RunsService.Persistence;
using TenantAtlas.ServiceDefaults;
using static TenantAtlas.RunsService.Runs.RunRows;

namespace TenantAtlas.RunsService.Retention;

/// <summary>A workspace's run retention as the API shows it; <see cref="UpdatedAt"/> null while it is the default.</summary>
public sealed record RunRetention(Guid WorkspaceId, int Days, DateTime? UpdatedAt);

/// <summary>
/// A workspace's run retention: how many days completed runs are kept. Any member may read it; only an Owner may
/// change it, because a shorter retention deletes history every member relies on. Service identities may read it
/// (they act for the suite and see every run) but never change it: it is a person's decision.
/// </summary>
public sealed class RunRetentionSettings(WorkspaceAccess access, NpgsqlDataSource dataSource)
{
    public async Task<RunRetention> GetAsync(Caller caller, Guid workspaceId, CancellationToken ct)
    {
        if (!caller.IsService)
        {
            await access.RequireMemberAsync(caller, workspaceId, ct);
        }
        await using var command = dataSource.CreateCommand(
            "SELECT run_retention_days, run_retention_updated_at FROM runs.workspaces WHERE id = @id");
        command.Parameters.Add(Uuid("id", workspaceId));
        return await ReadAsync(command, workspaceId, ct);
    }

    public async Task<RunRetention> UpdateAsync(Caller caller, Guid workspaceId, int days, CancellationToken ct)
    {
        if (caller.IsService)
        {
            throw new PermissionDeniedException(
                $"Only an owner of workspace {workspaceId} may change its run retention; service identities may only read it.");
        }
        var member = await access.RequireMemberAsync(caller, workspaceId, ct);
        if (member.Role != Role.Owner)
        {
            throw new PermissionDeniedException(
                $"Your role '{member.Role}' in workspace {workspaceId} may not change its run retention: role '{Role.Owner}' is needed.");
        }
        await using var command = dataSource.CreateCommand("""
            UPDATE runs.workspaces SET run_retention_days = @days, run_retention_updated_at = now()
            WHERE id = @id
            RETURNING run_retention_days, run_retention_updated_at
            """);
        command.Parameters.Add(Uuid("id", workspaceId));
        command.Parameters.AddWithValue("days", days);
        return await ReadAsync(command, workspaceId, ct);
    }

    /// <summary>Whether <paramref name="days"/> is a retention the schema accepts (its check constraint says the same).</summary>
    public static bool IsValidDays(int days) => days is >= WorkspaceEntity.MinRunRetentionDays and <= WorkspaceEntity.MaxRunRetentionDays;

    private static async Task<RunRetention> ReadAsync(NpgsqlCommand command, Guid workspaceId, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            throw WorkspaceAccess.WorkspaceNotFound(workspaceId);
        }
        return new RunRetention(workspaceId, reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetDateTime(1));
    }
}
