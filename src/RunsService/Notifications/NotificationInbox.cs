using Microsoft.EntityFrameworkCore;
using TenantAtlas.RunsService.Persistence;
using TenantAtlas.RunsService.Runs;
using TenantAtlas.ServiceDefaults;

namespace TenantAtlas.RunsService.Notifications;

/// <summary>
/// The calling user's run notifications. They are written by the same statements that queue and complete the
/// run (<see cref="RunStore"/>), for the initiator only; this class reads and marks them.
/// </summary>
public sealed class NotificationInbox(RunsDbContext db, PageTokens pageTokens)
{
    public async Task<(IReadOnlyList<NotificationEntity> Notifications, string? NextPageToken, long UnreadCount)> ListAsync(
        Caller caller, bool unreadOnly, int pageSize, string? pageToken, CancellationToken ct)
    {
        var fingerprint = PageTokens.Fingerprint([caller.Subject, unreadOnly ? "unread" : "all"]);
        var query = Mine(caller);
        if (unreadOnly)
        {
            query = query.Where(n => n.ReadAt == null);
        }
        if (!string.IsNullOrEmpty(pageToken))
        {
            var afterId = pageTokens.Decode<long>(pageToken, fingerprint);
            query = query.Where(n => n.Id < afterId);
        }
        var rows = await query.OrderByDescending(n => n.Id).Take(pageSize + 1).ToListAsync(ct);
        var unread = await UnreadCountAsync(caller, ct);
        if (rows.Count <= pageSize)
        {
            return (rows, null, unread);
        }
        rows.RemoveAt(rows.Count - 1);
        return (rows, pageTokens.Encode(rows[^1].Id, fingerprint), unread);
    }

    public async Task<(long Marked, long UnreadCount)> MarkReadAsync(Caller caller, IReadOnlyList<long> ids, bool all, CancellationToken ct)
    {
        var query = Mine(caller).Where(n => n.ReadAt == null);
        if (!all)
        {
            // Ids of other users' notifications simply match nothing.
            query = query.Where(n => ids.Contains(n.Id));
        }
        var now = DateTime.UtcNow;
        var marked = await query.ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct);
        return (marked, await UnreadCountAsync(caller, ct));
    }

    private IQueryable<NotificationEntity> Mine(Caller caller) =>
        db.Notifications.AsNoTracking().Where(n => n.RecipientSubject == caller.Subject);

    private Task<long> UnreadCountAsync(Caller caller, CancellationToken ct) =>
        Mine(caller).Where(n => n.ReadAt == null).LongCountAsync(ct);
}
