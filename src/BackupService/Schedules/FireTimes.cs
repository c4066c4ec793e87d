using Cronos;

namespace TenantAtlas.BackupService.Schedules;

/// <summary>
/// When a schedule fires: its five-field cron expression read in its IANA time zone (Cronos), so a 02:30 slot on the
/// night clocks spring forward fires once at the first valid instant after the gap, and a slot in the repeated hour
/// of the fall-back night fires once. All instants are UTC.
/// </summary>
public sealed class FireTimes
{
    /// <summary>How far back a schedule that was down catches up: it fires the latest missed slot in this window once.</summary>
    public static readonly TimeSpan CatchUpWindow = TimeSpan.FromDays(31);

    private readonly CronExpression expression;
    private readonly TimeZoneInfo zone;

    private FireTimes(CronExpression expression, TimeZoneInfo zone)
    {
        this.expression = expression;
        this.zone = zone;
    }

    /// <summary>The schedule's fire times, or null with the reason when the expression or zone is not valid.</summary>
    public static FireTimes? TryParse(string cron, string timeZone, out string? cronError, out string? zoneError)
    {
        cronError = zoneError = null;
        CronExpression? expression = null;
        TimeZoneInfo? zone = null;
        try
        {
            expression = CronExpression.Parse(cron.Trim(), CronFormat.Standard);
        }
        catch (CronFormatException e)
        {
            cronError = $"is not a five-field cron expression (minute hour day-of-month month day-of-week): {e.Message}";
        }
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone.Trim(), out zone))
        {
            zoneError = $"is not a known IANA time zone id (e.g. \"UTC\", \"Europe/Berlin\", \"America/New_York\"); got {ServiceDefaults.RequestValidator.Quote(timeZone)}.";
        }
        return expression is null || zone is null ? null : new FireTimes(expression, zone);
    }

    public static FireTimes Parse(string cron, string timeZone) =>
        TryParse(cron, timeZone, out var cronError, out var zoneError)
        ?? throw new InvalidOperationException($"Stored schedule is invalid: cron {cronError} zone {zoneError}");

    /// <summary>The next <paramref name="count"/> fire times strictly after <paramref name="after"/>.</summary>
    public IReadOnlyList<DateTime> Next(DateTime after, int count)
    {
        var times = new List<DateTime>(count);
        var from = DateTime.SpecifyKind(after, DateTimeKind.Utc);
        while (times.Count < count && expression.GetNextOccurrence(from, zone) is { } next)
        {
            times.Add(next);
            from = next;
        }
        return times;
    }

    /// <summary>The latest fire time in (<paramref name="after"/>, <paramref name="now"/>], or null when none is due.</summary>
    public DateTime? LatestDue(DateTime after, DateTime now)
    {
        var from = DateTime.SpecifyKind(after > now - CatchUpWindow ? after : now - CatchUpWindow, DateTimeKind.Utc);
        var to = DateTime.SpecifyKind(now, DateTimeKind.Utc);
        DateTime? latest = null;
        foreach (var occurrence in expression.GetOccurrences(from, to, zone, fromInclusive: false, toInclusive: true))
        {
            latest = occurrence;
        }
        return latest;
    }
}
